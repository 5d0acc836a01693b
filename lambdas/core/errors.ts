/**
 * Named errors. `name` is set as a string literal so minified bundles keep it: the state machines'
 * `Retry` and `Catch` fields match on these names.
 */

/** The input is not a finding shield-right can act on. Never retried; the raw event is kept as evidence. */
export class InvalidFindingError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidFindingError';
    this.field = field;
  }
}

/**
 * A workflow step received input that does not match what it expects: a handler and the state machine
 * disagree, a bug in shield-right rather than a bad finding. Not caught: the execution fails and the
 * failure is notified like any other, so the incident is marked FAILED and a repeat is responded to.
 */
export class StepInputError extends Error {
  readonly step: string;
  readonly field: string;
  constructor(step: string, field: string, message: string) {
    super(`${step}: ${field}: ${message}`);
    this.name = 'StepInputError';
    this.step = step;
    this.field = field;
  }
}

/** The finding names resources in another account and cross-account response is not configured. */
export class CrossAccountFindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrossAccountFindingError';
  }
}

/** A required environment variable is missing or malformed at cold start. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The ECS task named by a finding does not exist (not even recently stopped). */
export class TaskNotFoundError extends Error {
  constructor(taskArn: string) {
    super(`task ${taskArn} was not found in its cluster`);
    this.name = 'TaskNotFoundError';
  }
}

/** An AWS call failed in a way that retrying will not fix (access denied, validation). */
export class ActionFailedError extends Error {
  constructor(action: string, cause: string) {
    super(`${action} failed: ${cause}`);
    this.name = 'ActionFailedError';
  }
}

/** The release of a containment cannot proceed (nothing contained, evidence missing). */
export class ReleaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseRefusedError';
  }
}

/** The name an AWS SDK v3 error carries (`ThrottlingException`, `AccessDeniedException`…), or `Error`. */
export function awsErrorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The member role of an account could not be assumed (missing, or not trusting this deployment's roles):
 * nothing is called in that account, and the message names the account, the role and the fix.
 */
export class MemberRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemberRoleError';
  }
}

/** memberEcsCall refused a call outside what the workflows send (another account, role, resource or tag). */
export class MemberCallRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemberCallRefused';
  }
}
