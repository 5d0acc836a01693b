/**
 * The ECS service scheduler as containment meets it: stopping tasks, replacing them (pinned to the digests
 * the deployment resolved, so a quarantined image fails to start), placement on ACTIVE container instances,
 * draining, and the service events it leaves behind.
 */
import type { TaskStopCode } from '@aws-sdk/client-ecs';
import { hexId, isoNow, uuidFromHex } from '../shared';
import type { AccountContext } from '../types';
import { stopSchedule } from './lifecycle';
import {
  type ContainerInstanceRecord,
  type EcsDependencies,
  MAX_SERVICE_EVENTS,
  type ServiceRecord,
  type TaskRecord,
} from './records';
import { taskDefinitionKey } from './references';
import { EcsStore } from './store';

export class EcsScheduler extends EcsStore {
  protected readonly pendingReplacements: { service: ServiceRecord; replaced: TaskRecord }[] = [];

  constructor(
    ctx: AccountContext,
    private readonly deps: EcsDependencies,
  ) {
    super(ctx);
  }

  /**
   * Starts the replacements of tasks whose stop was requested so far (desiredStatus STOPPED: the scheduler
   * does not wait for the old task to reach STOPPED). The service scheduler takes seconds to provision a
   * replacement (tens of seconds on Fargate) before it pulls the image, so offline a replacement launches
   * once the response that stopped the task has finished: whatever the response did to the image
   * (quarantine) is in place by then, as it is on AWS.
   */
  launchPendingReplacements(): void {
    const pending = this.pendingReplacements.splice(0);
    for (const { service, replaced } of pending) this.scale(service, replaced);
  }

  /**
   * Asks ECS to stop the task: desiredStatus STOPPED, the stop code, reason and stoppingAt at once, and the
   * tags deleted; lastStatus stays as it is and moves on the sandbox clock (lifecycle.ts). The service no
   * longer counts the task as running, so its scheduler may replace it.
   */
  protected stop(task: TaskRecord, stopCode: TaskStopCode, reason: string): void {
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = isoNow(this.ctx);
    // AWS deletes every tag of a task when it is stopped.
    task.tags = [];
    task.stopProgress = stopSchedule(
      task,
      this.taskDefinitions.get(taskDefinitionKey(task.taskDefinitionArn)),
      this.ctx.now(),
    );
    this.trackStop(task.id);
    task.version += 1;
    if (task.group.startsWith('service:')) {
      this.activeTasksByService.get(`${task.cluster}/${task.group.slice(8)}`)?.delete(task.id);
    }
  }

  /** Brings the service's RUNNING tasks to desiredCount, as its scheduler would. */
  protected scale(service: ServiceRecord, template: TaskRecord | undefined): void {
    const active = this.activeCount(service);
    for (let count = active; count < service.desiredCount; count += 1) {
      const started = this.startServiceTask(service, template);
      if (!started) break;
    }
    if (active <= service.desiredCount) return;
    const running = this.runningTasks(service);
    for (const task of running.slice(service.desiredCount)) {
      this.stop(
        task,
        'ServiceSchedulerInitiated',
        `Scaling activity initiated by (deployment ${service.deploymentId})`,
      );
      this.serviceEvent(service, `(service ${service.name}) has stopped 1 running tasks: (task ${task.id}).`);
    }
  }

  /**
   * Starts one task of the service from its task definition, pinned to the digests the deployment resolved.
   * Returns undefined when no capacity can host it (EC2 launch type without an ACTIVE container instance).
   */
  protected startServiceTask(
    service: ServiceRecord,
    template: TaskRecord | undefined,
  ): TaskRecord | undefined {
    const definition = this.taskDefinitions.get(taskDefinitionKey(service.taskDefinitionArn));
    const launchType = service.launchType ?? template?.launchType ?? 'FARGATE';
    let instance: ContainerInstanceRecord | undefined;
    if (launchType === 'EC2') {
      instance = this.placement(service.cluster, template?.containerInstanceId);
      if (!instance) {
        this.serviceEvent(
          service,
          `(service ${service.name}) was unable to place a task because no container instance met all of its ` +
            'requirements.',
        );
        return undefined;
      }
    }
    const reference = this.deploymentReference(service, template);
    const containers = (definition?.containers ?? template?.containers ?? []).map(({ name, image }) => ({
      name,
      image,
      imageDigest: reference?.containers.find((container) => container.name === name)?.imageDigest,
    }));
    const failed = containers.find(
      (container) => !this.deps.imagePullable(container.image, container.imageDigest),
    );
    const pullable = failed === undefined;
    const id = hexId(this.ctx, 'task', 32);
    const now = isoNow(this.ctx);
    const networkMode =
      definition?.networkMode ?? (launchType === 'FARGATE' || template?.eni ? 'awsvpc' : 'bridge');
    const pullError = failed
      ? `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ` +
        `${failed.image}${failed.imageDigest ? `@${failed.imageDigest}` : ''}: not found`
      : undefined;
    const task: TaskRecord = {
      arn: this.taskArn(service.cluster, id),
      id,
      cluster: service.cluster,
      taskDefinitionArn: service.taskDefinitionArn,
      family:
        definition?.family ?? taskDefinitionKey(service.taskDefinitionArn).split(':')[0] ?? service.name,
      group: `service:${service.name}`,
      launchType,
      lastStatus: pullable ? 'RUNNING' : 'STOPPED',
      desiredStatus: pullable ? 'RUNNING' : 'STOPPED',
      containers: containers.map((container, index) => ({
        ...container,
        runtimeId: pullable ? this.runtimeId(id, index, launchType) : undefined,
        containerId: hexId(this.ctx, 'container', 32),
        lastStatus: pullable ? 'RUNNING' : 'STOPPED',
        reason: pullable ? undefined : pullError,
      })),
      eni: networkMode === 'awsvpc' ? this.serviceTaskEni(service, template, pullable) : undefined,
      containerInstanceId: instance?.id,
      containerInstanceArn: instance && this.containerInstanceArn(instance.cluster, instance.id),
      startedBy: service.deploymentId,
      tags: [],
      createdAt: now,
      startedAt: pullable ? now : undefined,
      stoppingAt: pullable ? undefined : now,
      stoppedAt: pullable ? undefined : now,
      stoppedReason: pullError,
      stopCode: pullable ? undefined : 'TaskFailedToStart',
      version: pullable ? 3 : 4,
    };
    this.addTask(task);
    if (pullable) {
      this.serviceEvent(service, `(service ${service.name}) has started 1 tasks: (task ${id}).`);
    } else {
      service.failedTasks += 1;
      this.serviceEvent(
        service,
        `(service ${service.name}) failed to launch a task: (task ${id}) ${pullError}`,
      );
    }
    return task;
  }

  /**
   * The ENI of a task the service starts: ECS creates it in one of the service's subnets with the service's
   * security groups (its awsvpcConfiguration), whatever groups the task it replaces had.
   */
  protected serviceTaskEni(
    service: ServiceRecord,
    template: TaskRecord | undefined,
    pullable: boolean,
  ): NonNullable<TaskRecord['eni']> {
    const subnetId = service.network?.subnets[0] ?? template?.eni?.subnetId;
    const created =
      pullable && service.network && subnetId !== undefined
        ? this.deps.taskInterface?.({ subnetId, groups: service.network.securityGroups })
        : undefined;
    return this.newEni(created?.networkInterfaceId, subnetId, created?.privateIpAddress, !pullable);
  }

  /** The task whose digests the deployment uses: the stopped one if it ran this task definition, else a sibling. */
  protected deploymentReference(
    service: ServiceRecord,
    template: TaskRecord | undefined,
  ): TaskRecord | undefined {
    if (template?.taskDefinitionArn === service.taskDefinitionArn) return template;
    const ids = [...(this.activeTasksByService.get(`${service.cluster}/${service.name}`) ?? [])];
    for (let index = ids.length - 1; index >= 0; index -= 1) {
      const task = this.tasks.get(ids[index] ?? '');
      if (task?.taskDefinitionArn === service.taskDefinitionArn && task.startedAt !== undefined) return task;
    }
    return undefined;
  }

  protected placement(cluster: string, preferred: string | undefined): ContainerInstanceRecord | undefined {
    const first = preferred === undefined ? undefined : this.containerInstances.get(preferred);
    if (first?.status === 'ACTIVE' && first.cluster === cluster) return first;
    for (const instance of this.containerInstances.values()) {
      if (instance.cluster === cluster && instance.status === 'ACTIVE') return instance;
    }
    return undefined;
  }

  /** Service tasks on a draining instance move once their replacement runs elsewhere (minimum healthy 100%). */
  protected drain(instance: ContainerInstanceRecord): void {
    for (const id of [...(this.tasksByContainerInstance.get(instance.id) ?? [])]) {
      const task = this.tasks.get(id);
      if (task?.desiredStatus !== 'RUNNING') continue;
      const service = this.serviceOfTask(task);
      if (!service) continue;
      const replacement = this.startServiceTask(service, task);
      if (replacement?.lastStatus === 'RUNNING') {
        this.stop(task, 'ServiceSchedulerInitiated', `Container instance ${instance.id} is draining`);
      }
    }
  }

  protected serviceEvent(service: ServiceRecord, message: string): void {
    service.events.unshift({
      id: uuidFromHex(hexId(this.ctx, 'event', 32)),
      createdAt: isoNow(this.ctx),
      message,
    });
    service.events.length = Math.min(service.events.length, MAX_SERVICE_EVENTS);
  }
}
