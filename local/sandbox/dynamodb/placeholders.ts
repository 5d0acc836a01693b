import { validation } from './errors';
import type { ExpressionKind } from './tokens';
import { type AttributeValue, importValue, isMapLike } from './values';

/** Resolves `#name` and `:value` placeholders and remembers which were used, for the unused-key check. */
export class Placeholders {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;

  constructor(rawNames: unknown, rawValues: unknown) {
    this.names = {};
    this.values = {};
    if (rawNames !== undefined) {
      if (!isMapLike(rawNames) || Object.keys(rawNames).length === 0) {
        throw validation('ExpressionAttributeNames must not be empty');
      }
      for (const [key, value] of Object.entries(rawNames)) {
        if (!/^#[A-Za-z0-9_]+$/.test(key)) {
          throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
        }
        if (typeof value !== 'string' || value.length === 0) {
          throw validation(
            `ExpressionAttributeNames contains invalid value: Empty attribute name for key ${key}`,
          );
        }
        this.names[key] = value;
      }
    }
    if (rawValues !== undefined) {
      if (!isMapLike(rawValues) || Object.keys(rawValues).length === 0) {
        throw validation('ExpressionAttributeValues must not be empty');
      }
      for (const [key, value] of Object.entries(rawValues)) {
        if (!/^:[A-Za-z0-9_]+$/.test(key)) {
          throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
        }
        try {
          this.values[key] = importValue(value);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw validation(`ExpressionAttributeValues contains invalid value: ${reason} for key ${key}`);
        }
      }
    }
  }

  name(kind: ExpressionKind, placeholder: string): string {
    const name = this.names[placeholder];
    if (name === undefined) {
      throw validation(
        `Invalid ${kind}: An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`,
      );
    }
    this.usedNames.add(placeholder);
    return name;
  }

  value(kind: ExpressionKind, placeholder: string): AttributeValue {
    const value = this.values[placeholder];
    if (value === undefined) {
      throw validation(
        `Invalid ${kind}: An expression attribute value used in expression is not defined; attribute value: ${placeholder}`,
      );
    }
    this.usedValues.add(placeholder);
    return value;
  }

  checkAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((k) => !this.usedNames.has(k));
    if (unusedNames.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
    if (unusedValues.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}
