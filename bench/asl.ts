/** What the benchmark needs from the project's state machine files: which states are Lambda tasks (of which function) and which Parallel branch a state sits in. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionId, WORKFLOWS, type WorkflowName } from '../definitions/functions';

interface RawState {
  Type?: string;
  Resource?: string;
  Branches?: { States?: Record<string, RawState> }[];
  ItemProcessor?: { States?: Record<string, RawState> };
  Iterator?: { States?: Record<string, RawState> };
}

export interface WorkflowShape {
  /** Lambda task states and the function each invokes. */
  readonly lambdaStates: Map<string, FunctionId>;
  /** For a state inside a Parallel branch: `<Parallel>#<branch index>` (innermost). */
  readonly branchOf: Map<string, string>;
}

const BY_SUBSTITUTION = new Map(Object.values(FUNCTIONS).map((f) => [`\${${f.substitution}}`, f.id]));

function walk(states: Record<string, RawState>, shape: WorkflowShape, branch?: string): void {
  for (const [name, state] of Object.entries(states)) {
    if (branch) shape.branchOf.set(name, branch);
    const fn = state.Resource ? BY_SUBSTITUTION.get(state.Resource) : undefined;
    if (state.Type === 'Task' && fn) shape.lambdaStates.set(name, fn);
    (state.Branches ?? []).forEach((b, i) => {
      walk(b.States ?? {}, shape, `${name}#${i}`);
    });
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner?.States) walk(inner.States, shape, branch);
  }
}

export function workflowShapes(root: string): Record<WorkflowName, WorkflowShape> {
  const out = {} as Record<WorkflowName, WorkflowShape>;
  for (const wf of Object.values(WORKFLOWS)) {
    const definition = JSON.parse(readFileSync(join(root, wf.file), 'utf8')) as {
      States?: Record<string, RawState>;
    };
    const shape: WorkflowShape = { lambdaStates: new Map(), branchOf: new Map() };
    walk(definition.States ?? {}, shape);
    out[wf.name] = shape;
  }
  return out;
}

/**
 * The states on the path to `target`, in order: every state entered before it, except states of other
 * branches of the Parallel that contains it (they run beside it, not before it).
 */
export function pathTo(
  states: readonly string[],
  target: string,
  shape: WorkflowShape,
): string[] | undefined {
  const index = states.indexOf(target);
  if (index < 0) return undefined;
  const own = shape.branchOf.get(target);
  const parallel = own?.split('#')[0];
  return states.slice(0, index + 1).filter((s) => {
    const b = shape.branchOf.get(s);
    if (!b || !own || !parallel) return true;
    return !b.startsWith(`${parallel}#`) || b === own;
  });
}
