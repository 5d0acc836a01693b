/**
 * How a task stops on ECS, on the sandbox clock. `StopTask` (or the service scheduler) sets desiredStatus
 * STOPPED at once; lastStatus then passes DEACTIVATING, STOPPING (each container gets SIGTERM, then SIGKILL
 * after its `stopTimeout`), DEPROVISIONING (awsvpc: the ENI is detached and deleted) and STOPPED.
 * The schedule is fixed when the stop is requested and applied lazily when the task is next read, like the
 * ECR restore through ACTIVATING.
 */
import type { TaskDefinitionRecord, TaskRecord } from './records';
import { isoMs } from './references';

/** Containers without a `stopTimeout` get 30 s (Fargate default; the EC2 agent's ECS_CONTAINER_STOP_TIMEOUT default). */
export const DEFAULT_STOP_TIMEOUT_S = 30;
/** Fargate caps a container's `stopTimeout` at 120 s. */
export const FARGATE_MAX_STOP_TIMEOUT_S = 120;
/**
 * How long the steps around the containers' stop take (the agent noticing the desired status, DEACTIVATING,
 * DEPROVISIONING). AWS documents no duration for them; one second each is the sandbox's choice, short beside
 * the stop timeout that dominates a stop.
 */
export const STOP_STEP_MS = 1_000;

/** The seconds ECS waits before SIGKILL: the longest `stopTimeout` of the task's containers, capped on Fargate. */
export function stopTimeoutSeconds(task: TaskRecord, definition: TaskDefinitionRecord | undefined): number {
  const timeouts = task.containers.map(
    (container) =>
      definition?.containers.find((candidate) => candidate.name === container.name)?.stopTimeout ??
      DEFAULT_STOP_TIMEOUT_S,
  );
  const chosen = Math.max(...timeouts, 0) || DEFAULT_STOP_TIMEOUT_S;
  return task.launchType === 'FARGATE' ? Math.min(chosen, FARGATE_MAX_STOP_TIMEOUT_S) : chosen;
}

/**
 * When each lastStatus after RUNNING begins, for a stop requested at `requestedAt` (ms). The sandbox
 * assumes the worst case, containers that ignore SIGTERM (a compromised process may), so they exit at SIGKILL.
 */
export function stopSchedule(
  task: TaskRecord,
  definition: TaskDefinitionRecord | undefined,
  requestedAt: number,
): NonNullable<TaskRecord['stopProgress']> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const deactivating = requestedAt + STOP_STEP_MS;
  const stopping = deactivating + STOP_STEP_MS;
  const killed = stopping + stopTimeoutSeconds(task, definition) * 1000;
  const phases = [
    { status: 'DEACTIVATING', at: iso(deactivating) },
    { status: 'STOPPING', at: iso(stopping) },
  ];
  if (task.eni) phases.push({ status: 'DEPROVISIONING', at: iso(killed) });
  phases.push({ status: 'STOPPED', at: iso(task.eni ? killed + STOP_STEP_MS : killed) });
  return { phases, executionStoppedAt: iso(killed) };
}

/** Applies the transitions due by `now` (ms); returns true once the task is STOPPED. */
export function advanceStop(task: TaskRecord, now: number): boolean {
  const progress = task.stopProgress;
  if (!progress) return true;
  if (task.executionStoppedAt === undefined && isoMs(progress.executionStoppedAt) <= now) {
    task.executionStoppedAt = progress.executionStoppedAt;
    for (const container of task.containers) container.lastStatus = 'STOPPED';
  }
  const reached = progress.phases.findIndex((phase) => phase.status === task.lastStatus);
  for (const phase of progress.phases.slice(reached + 1)) {
    if (isoMs(phase.at) > now) return false;
    task.lastStatus = phase.status;
    task.version += 1;
    if (phase.status === 'DEPROVISIONING' && task.eni) task.eni.status = 'DETACHING';
    if (phase.status === 'STOPPED') {
      task.stoppedAt = phase.at;
      if (task.eni) task.eni.status = 'DELETED';
    }
  }
  task.stopProgress = undefined;
  return true;
}

/**
 * When `advanceStop` next changes the task (ms), or undefined once it has nothing left to do. Before that
 * instant `advanceStop` changes nothing, so the store skips the task (a replay keeps hundreds stopping).
 */
export function nextStopTransition(task: TaskRecord): number | undefined {
  const progress = task.stopProgress;
  if (!progress) return undefined;
  const reached = progress.phases.findIndex((phase) => phase.status === task.lastStatus);
  const phase = progress.phases[reached + 1];
  let next = phase ? isoMs(phase.at) : Number.NEGATIVE_INFINITY;
  if (task.executionStoppedAt === undefined) next = Math.min(next, isoMs(progress.executionStoppedAt));
  return next;
}
