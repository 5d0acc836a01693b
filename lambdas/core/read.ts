/**
 * The one type guard left of the hand-written readers: many modules narrow a parsed JSON value to an
 * object before they look inside it. Events and step inputs are read with the valibot schemas of
 * lambdas/core/schemas.ts and lambdas/core/schemas/.
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
