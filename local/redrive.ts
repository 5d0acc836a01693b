/**
 * Offline `RedriveExecution`, as Step Functions does it: the execution continues at the state that did not
 * complete, with the input that state was given, under the original definition; states that completed are
 * not run again; in a Parallel state only the branches that failed or were aborted run again, the others
 * keep their outputs (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
 *
 * aws-local-stepfunctions cannot start an execution in the middle of a definition, so a redrive runs a
 * derived definition: it starts at a Pass state that injects the recorded input and goes on to the state
 * that failed; inside a failed Parallel state, a branch that succeeded becomes one Pass state returning
 * its recorded output, and a branch that did not starts again at its own unsuccessful state (recursively).
 * Those Pass states are the engine's, not the workflow's: they are left out of the execution history.
 */
import type { StateMachine } from 'aws-local-stepfunctions';

type Definition = ConstructorParameters<typeof StateMachine>[0];
export type JsonValue = Parameters<StateMachine['run']>[0];

/** Where a redrive resumes in one scope (the workflow, or a Parallel branch). */
export interface ResumePoint {
  readonly state: string;
  /** The state's recorded raw input (as its StateEntered event carried it). */
  readonly input: JsonValue;
  /** A Parallel state: what each of its branches does on redrive, in branch order. */
  readonly branches?: readonly BranchRedrive[];
}

export type BranchRedrive =
  | { readonly kind: 'succeeded'; readonly output: JsonValue }
  | { readonly kind: 'resume'; readonly at: ResumePoint }
  | { readonly kind: 'start' };

/** A state entering or leaving, with its data: what the resume point is computed from. */
export interface TraceEvent {
  readonly type: 'entered' | 'exited';
  readonly state: string;
  readonly input: JsonValue;
  readonly output?: JsonValue;
}

interface StateDef {
  Type?: string;
  Next?: string;
  End?: boolean;
  Result?: unknown;
  Branches?: Scope[];
}

interface Scope {
  StartAt: string;
  States: Record<string, StateDef>;
}

// Names no workflow state can have (state names are at most 80 characters; these are longer), so the
// engine's own Pass states are told apart from the workflow's.
const MARK = `${'~'.repeat(80)}redrive:`;
const ENTRY = `${MARK}entry:`;
const OUTPUT = `${MARK}output`;

/** True for the Pass states a redrive adds: they are not states of the workflow. */
export function isRedriveState(name: string): boolean {
  return name.startsWith(MARK);
}

function scopeOf(definition: Definition): Scope {
  return definition as unknown as Scope;
}

/** A Pass state that outputs `value` whatever it is (the engine skips a falsy `Result`). */
function passing(value: JsonValue, next: { Next: string } | { End: true }): Record<string, unknown> {
  return { Type: 'Pass', Result: { value }, OutputPath: '$.value', ...next };
}

function passedValue(state: StateDef | undefined): JsonValue {
  const result = state?.Result as { value?: JsonValue } | undefined;
  return result?.value ?? null;
}

type ScopeOutcome = { readonly done: true; readonly output: JsonValue } | ResumePoint | undefined;

/** How one scope ended in a trace: completed with an output, to resume at a state, or never started. */
function outcomeIn(scope: Scope, trace: readonly TraceEvent[]): ScopeOutcome {
  let entered = -1;
  for (let i = trace.length - 1; i >= 0; i--) {
    const event = trace[i];
    if (event?.type === 'entered' && event.state in scope.States) {
      entered = i;
      break;
    }
  }
  const enteredEvent = trace[entered];
  if (!enteredEvent) return undefined;
  const name = enteredEvent.state;
  const state = scope.States[name] ?? {};
  const exit = trace.slice(entered + 1).find((e) => e.type === 'exited' && e.state === name);
  if (!exit) {
    const after = trace.slice(entered + 1);
    return {
      state: name,
      input: enteredEvent.input,
      ...(state.Type === 'Parallel' && state.Branches
        ? { branches: state.Branches.map((branch) => branchRedrive(branch, after)) }
        : {}),
    };
  }
  const output = exit.output ?? null;
  if (state.End === true || state.Type === 'Succeed') return { done: true, output };
  // Stopped between two states (an aborted branch): go on where it would have; a Choice is re-evaluated.
  if (state.Next && state.Type !== 'Choice') return { state: state.Next, input: output };
  return { state: name, input: enteredEvent.input };
}

function branchRedrive(branch: Scope, trace: readonly TraceEvent[]): BranchRedrive {
  const outcome = outcomeIn(branch, trace);
  if (outcome === undefined) return { kind: 'start' };
  if ('done' in outcome) return { kind: 'succeeded', output: outcome.output };
  return { kind: 'resume', at: outcome };
}

/**
 * Where a redrive of an unsuccessful run resumes, in terms of the workflow's own definition. `ran` is the
 * definition the run executed (the workflow's, or a redrive definition derived from it): the engine's
 * Pass states in it are read back into what they stand for, so a second redrive keeps what the first kept.
 */
export function resumePointOf(ran: Definition, trace: readonly TraceEvent[], input: JsonValue): ResumePoint {
  const scope = scopeOf(ran);
  const outcome = outcomeIn(scope, trace);
  if (outcome === undefined || 'done' in outcome) return unwrapEntry(scope, { state: scope.StartAt, input });
  return original(scope, outcome);
}

/** Reads a resume point found in a (possibly derived) scope back into the workflow's own states. */
function original(scope: Scope, point: ResumePoint): ResumePoint {
  if (point.state.startsWith(ENTRY)) return unwrapEntry(scope, point);
  const state = scope.States[point.state];
  if (!point.branches || !state?.Branches) return point;
  const branches = state.Branches;
  return {
    ...point,
    branches: point.branches.map((plan, i) => {
      const branch = branches[i];
      if (!branch) return plan;
      if (plan.kind === 'start') return planned(branch);
      if (plan.kind === 'resume') {
        if (plan.at.state.startsWith(OUTPUT))
          return { kind: 'succeeded', output: passedValue(branch.States[plan.at.state]) };
        return { kind: 'resume', at: original(branch, plan.at) };
      }
      return plan;
    }),
  };
}

/** A resume point at an engine entry state is one at the state it leads to, with the input it injects. */
function unwrapEntry(scope: Scope, point: ResumePoint): ResumePoint {
  if (!point.state.startsWith(ENTRY)) return point;
  const entry = scope.States[point.state];
  const target = entry?.Next ?? scope.StartAt;
  const state = scope.States[target];
  return {
    state: target,
    input: passedValue(entry),
    ...(state?.Branches ? { branches: state.Branches.map(planned) } : {}),
  };
}

/** What a branch of a derived definition stands for when nothing of it ran. */
function planned(branch: Scope): BranchRedrive {
  if (branch.StartAt.startsWith(OUTPUT))
    return { kind: 'succeeded', output: passedValue(branch.States[branch.StartAt]) };
  if (branch.StartAt.startsWith(ENTRY))
    return { kind: 'resume', at: unwrapEntry(branch, { state: branch.StartAt, input: null }) };
  return { kind: 'start' };
}

/** The definition a redrive runs: the workflow's own, entered at `point` (see the file comment). */
export function redriveDefinition(definition: Definition, point: ResumePoint): Definition {
  return enteredAt(scopeOf(definition), point) as unknown as Definition;
}

function enteredAt(scope: Scope, point: ResumePoint): Scope {
  const states: Record<string, unknown> = { ...scope.States };
  const state = scope.States[point.state];
  if (state?.Branches && point.branches) {
    const branches = point.branches;
    states[point.state] = {
      ...state,
      Branches: state.Branches.map((branch, i) => branchFor(branch, branches[i] ?? { kind: 'start' })),
    };
  }
  const entry = `${ENTRY}${point.state}`;
  states[entry] = passing(point.input, { Next: point.state });
  return { ...scope, StartAt: entry, States: states as Scope['States'] };
}

function branchFor(branch: Scope, plan: BranchRedrive): Scope {
  if (plan.kind === 'start') return branch;
  if (plan.kind === 'resume') return enteredAt(branch, plan.at);
  return { StartAt: OUTPUT, States: { [OUTPUT]: passing(plan.output, { End: true }) as StateDef } };
}
