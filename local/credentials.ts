/**
 * A Task state's `Credentials` field offline. aws-local-stepfunctions accepts the field but ignores it (its
 * local handlers receive only the task's input), while Step Functions assumes `Credentials.RoleArn` and makes
 * the call as that role, in that role's account. So the runner carries the role into the handler: before a
 * definition runs, a state's `RoleArn`/`RoleArn.$` is copied into its `Parameters` under a reserved key
 * (evaluated against the same effective input, as Step Functions evaluates `Credentials`), and the
 * dispatcher takes it out again and makes the call with that role (local/engine.ts `callService`).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export const CREDENTIALS_KEY = 'shieldRightOffline:credentialsRoleArn';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function carryStates(states: Json): Json {
  return Object.fromEntries(
    Object.entries(states).map(([name, raw]) => {
      if (!isObject(raw)) return [name, raw];
      let state: Json = { ...raw };
      if (Array.isArray(state.Branches)) {
        state.Branches = state.Branches.map((b: unknown) =>
          isObject(b) && isObject(b.States) ? { ...b, States: carryStates(b.States) } : b,
        );
      }
      for (const key of ['ItemProcessor', 'Iterator']) {
        const inner = state[key];
        if (isObject(inner) && isObject(inner.States))
          state[key] = { ...inner, States: carryStates(inner.States) };
      }
      const credentials = state.Credentials;
      if (state.Type === 'Task' && isObject(credentials)) {
        const params = isObject(state.Parameters) ? state.Parameters : {};
        const role =
          typeof credentials['RoleArn.$'] === 'string'
            ? { [`${CREDENTIALS_KEY}.$`]: credentials['RoleArn.$'] }
            : { [CREDENTIALS_KEY]: credentials.RoleArn };
        const { Credentials: _carried, ...rest } = state;
        state = { ...rest, Parameters: { ...params, ...role } };
      }
      return [name, state];
    }),
  );
}

/** The definition with every Task's `Credentials` carried in its `Parameters` (the original is not changed). */
export function carryCredentials(definition: StateMachineDefinition): StateMachineDefinition {
  const raw = definition as unknown as Json;
  if (!isObject(raw.States)) return definition;
  return { ...raw, States: carryStates(raw.States) } as unknown as StateMachineDefinition;
}

/** Splits a task's input into the service call's input and the role it is made with, if any. */
export function takeCredentials(input: unknown): { input: unknown; roleArn?: string } {
  if (!isObject(input) || !(CREDENTIALS_KEY in input)) return { input };
  const { [CREDENTIALS_KEY]: roleArn, ...rest } = input;
  return { input: rest, ...(typeof roleArn === 'string' ? { roleArn } : {}) };
}
