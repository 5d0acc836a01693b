/**
 * Which images a quarantine may touch, given who runs them. An archived or retagged digest is gone for
 * every consumer in the account, so it is quarantined only when nobody it would harm runs it:
 * - a scan that failed or stopped at its bound knows too little: nothing is quarantined (fail safe);
 * - a protected or exempt workload (lambdas/core/workload-guard.ts) that runs the digest spares it;
 * - for a runtime finding, a service other than the finding's own workload that runs it spares it (the
 *   finding proves nothing about that service; quarantining would stop its replacements).
 * Pure: the scan is lambdas/actions/exposure.ts.
 */
import type { BlastRadius, ExposedTask, SparedImage } from './outcome';
import type { QuarantineTarget } from './policy';
import { clusterNameOfArn } from './workload-guard';

/** The finding's workload: its task's cluster and, when the service lists the task, that service. */
export interface FindingWorkload {
  readonly clusterArn: string;
  readonly serviceName?: string;
}

function who(task: ExposedTask, workload: FindingWorkload | undefined): string {
  const cluster = clusterNameOfArn(task.clusterArn);
  // Organization mode: a task of another account than the finding's is named with its account.
  const elsewhere =
    task.accountId && !workload?.clusterArn.includes(`:${task.accountId}:`)
      ? ` of account ${task.accountId}`
      : '';
  return task.serviceName
    ? `service ${task.serviceName} in cluster ${cluster}${elsewhere}`
    : `task ${task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1)} in cluster ${cluster}${elsewhere}`;
}

/** Why an organization-wide scan does not know who runs the image: the accounts it could not scan. */
function unscannedReason(radius: BlastRadius): string {
  const accounts = (radius.unscannedAccounts ?? []).map((a) => `${a.accountId} (${a.reason})`);
  const shown = accounts.slice(0, 5).join('; ');
  const named =
    accounts.length === 0
      ? ''
      : ` account(s) ${shown}${accounts.length > 5 ? `; and ${accounts.length - 5} more` : ''} could not be scanned;`;
  const unlisted = radius.reason && !radius.failed ? ` ${radius.reason};` : '';
  const detail = named || unlisted ? `${named}${unlisted}` : ' workloads of other accounts are not scanned;';
  return `organization mode:${detail} who else runs the image is not fully known, so it is not archived (quarantine by hand once you know who runs it)`;
}

/** Why this task keeps the digest out of quarantine, or undefined. */
function sparingReason(task: ExposedTask, workload: FindingWorkload | undefined): string | undefined {
  if (task.verdict === 'protected' || task.verdict === 'exempt') {
    return `${who(task, workload)} runs it and is ${task.verdict} (${task.verdictReason ?? 'no reason given'})`;
  }
  if (task.verdict === undefined)
    return `${who(task, workload)} runs it and was not checked against the guard`;
  const inWorkload =
    workload !== undefined &&
    task.clusterArn === workload.clusterArn &&
    task.serviceName === workload.serviceName;
  if (workload && task.serviceName && !inWorkload) {
    return `${who(task, workload)} runs it too, outside the finding's workload`;
  }
  return undefined;
}

/**
 * Splits the targets into those that may be quarantined and those spared, with the reason. `workload`
 * is the runtime finding's; an Inspector finding (about the image itself) passes none.
 */
export function spareTargets(
  targets: readonly QuarantineTarget[],
  radius: BlastRadius | undefined,
  workload: FindingWorkload | undefined,
): { targets: QuarantineTarget[]; spared: SparedImage[] } {
  const spared: SparedImage[] = [];
  const kept: QuarantineTarget[] = [];
  const spare = (target: QuarantineTarget, reason: string) =>
    spared.push({
      repository: target.repository,
      ...(target.digest ? { digest: target.digest } : {}),
      reason,
    });
  for (const target of targets) {
    if (!radius || radius.failed) {
      spare(
        target,
        `the blast-radius scan failed (${radius?.reason ?? 'no result'}): who else runs the image is unknown, so nothing is quarantined`,
      );
      continue;
    }
    if (radius.otherAccountsUnscanned) {
      spare(target, unscannedReason(radius));
      continue;
    }
    // A registry account the organization-wide scan did not reach (outside the organization's listing, or
    // never planned) is not one shield-right knows to be a member: no quarantine through a role there.
    if (target.roleArn && radius.scannedAccounts && !radius.scannedAccounts.includes(target.registryId)) {
      spare(
        target,
        `registry account ${target.registryId} was not scanned (not a listed account of the organization): no quarantine there`,
      );
      continue;
    }
    if (radius.truncated) {
      spare(
        target,
        `the blast-radius scan stopped after ${radius.scannedTasks} tasks: who else runs the image is not fully known, so nothing is quarantined`,
      );
      continue;
    }
    const reasons = [
      ...new Set(
        radius.tasks
          .filter((t) => t.digest === target.digest)
          .map((t) => sparingReason(t, workload))
          .filter((r): r is string => r !== undefined),
      ),
    ];
    if (reasons.length > 0) {
      const shown = reasons.slice(0, 5).join('; ');
      spare(target, reasons.length > 5 ? `${shown}; and ${reasons.length - 5} more` : shown);
    } else {
      kept.push(target);
    }
  }
  return { targets: kept, spared };
}

/** A running task left alone by `inspector.stopRunningTasks`, and why. */
export interface SparedTask {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly reason: string;
}

/**
 * The tasks `inspector.stopRunningTasks` may stop: allowed by the guard, and never a service's last
 * `minHealthyTasks` running tasks (counted from the described service). Every other task is spared, with why.
 */
export function chooseStops(
  tasks: readonly ExposedTask[],
  minHealthyTasks: number,
): { stops: ExposedTask[]; spared: SparedTask[] } {
  const stops: ExposedTask[] = [];
  const spared: SparedTask[] = [];
  const stoppedPerService = new Map<string, number>();
  for (const task of tasks) {
    const spare = (reason: string) =>
      spared.push({ taskArn: task.taskArn, clusterArn: task.clusterArn, reason });
    if (task.verdict !== 'allowed') {
      spare(
        task.verdict === undefined
          ? 'not checked against the guard'
          : `${task.verdict}: ${task.verdictReason ?? 'no reason given'}`,
      );
      continue;
    }
    if (task.serviceName && minHealthyTasks > 0) {
      const key = `${task.clusterArn}|${task.serviceName}`;
      const stopped = stoppedPerService.get(key) ?? 0;
      const running = task.serviceRunningCount ?? 0;
      if (running - stopped <= minHealthyTasks) {
        spare(
          `service ${task.serviceName} keeps minHealthyTasks=${minHealthyTasks} running (${running - stopped} running)`,
        );
        continue;
      }
      stoppedPerService.set(key, stopped + 1);
    }
    stops.push(task);
  }
  return { stops, spared };
}
