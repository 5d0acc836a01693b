/**
 * The state of the sandbox ECS: its records, the secondary indexes of task ids that keep listings off a full
 * scan, this account's ECS ARNs, and the lookups every operation starts from. Snapshots copy the records.
 */
import type { LaunchType, Tag } from '@aws-sdk/client-ecs';
import { clearAll, hexId, indexAdd, sha256Bytes, sha256Hex, uuidFromHex } from '../shared';
import { type AccountContext, AwsError } from '../types';
import { DueQueue } from './due-queue';
import { advanceStop, nextStopTransition } from './lifecycle';
import {
  type ClusterRecord,
  type ContainerInstanceRecord,
  type EcsSnapshot,
  type ServiceRecord,
  STOPPED_TASK_RETENTION_MS,
  type TaskDefinitionRecord,
  type TaskRecord,
} from './records';
import { digits, isoMs, lastSegment, resourceName, taskDefinitionKey } from './references';

export class EcsStore {
  constructor(protected readonly ctx: AccountContext) {}

  protected readonly clusters = new Map<string, ClusterRecord>();
  /** `family:revision` -> task definition */
  protected readonly taskDefinitions = new Map<string, TaskDefinitionRecord>();
  protected readonly latestRevision = new Map<string, number>();
  /** `cluster/name` -> service */
  protected readonly services = new Map<string, ServiceRecord>();
  protected readonly containerInstances = new Map<string, ContainerInstanceRecord>();
  /** `cluster/ec2InstanceId` -> container instance id */
  protected readonly containerInstanceByEc2 = new Map<string, string>();
  protected readonly tasks = new Map<string, TaskRecord>();
  /** Secondary indexes of task ids, so filtered listings never scan every task of the account. */
  protected readonly tasksByCluster = new Map<string, Set<string>>();
  protected readonly tasksByService = new Map<string, Set<string>>();
  /** `cluster/service` -> ids of its tasks whose desiredStatus is RUNNING: what the scheduler counts. */
  protected readonly activeTasksByService = new Map<string, Set<string>>();
  protected readonly tasksByFamily = new Map<string, Set<string>>();
  protected readonly tasksByContainerInstance = new Map<string, Set<string>>();
  /** cluster -> keys of its services / ids of its container instances (DescribeClusters counts them). */
  protected readonly servicesByCluster = new Map<string, Set<string>>();
  protected readonly instancesByCluster = new Map<string, Set<string>>();
  /** Ids of tasks whose stop was requested and has not finished: the only tasks the clock moves. */
  protected readonly stoppingTasks = new Set<string>();
  /** When each stopping task's next transition is due (ms), once computed. */
  private readonly stopDue = new Map<string, number>();
  /** Stopping tasks whose next transition is not computed yet (just stopped or restored). */
  private readonly freshStops = new Set<string>();
  /** (due, id) of stopping tasks, soonest first; an entry whose due no longer matches `stopDue` is stale. */
  private readonly stopQueue = new DueQueue();

  // ---- ARNs ---------------------------------------------------------------------------------------------

  arn(resource: string): string {
    return `arn:${this.ctx.partition}:ecs:${this.ctx.region}:${this.ctx.accountId}:${resource}`;
  }

  clusterArn(name: string): string {
    return this.arn(`cluster/${name}`);
  }

  taskArn(cluster: string, id: string): string {
    return this.arn(`task/${cluster}/${id}`);
  }

  taskDefinitionArn(family: string, revision: number): string {
    return this.arn(`task-definition/${family}:${revision}`);
  }

  serviceArn(cluster: string, name: string): string {
    return this.arn(`service/${cluster}/${name}`);
  }

  containerInstanceArn(cluster: string, id: string): string {
    return this.arn(`container-instance/${cluster}/${id}`);
  }

  /** The stored task (a copy), for the account's provisioning and for assertions. */
  getTask(taskArnOrId: string): TaskRecord | undefined {
    this.advanceStops();
    const task = this.tasks.get(lastSegment(taskArnOrId));
    return task && structuredClone(task);
  }

  snapshot(): EcsSnapshot {
    this.advanceStops();
    return structuredClone({
      clusters: [...this.clusters.values()],
      taskDefinitions: [...this.taskDefinitions.values()],
      services: [...this.services.values()],
      containerInstances: [...this.containerInstances.values()],
      tasks: [...this.tasks.values()],
    });
  }

  restore(state: unknown): void {
    const snapshot = structuredClone((state ?? {}) as Partial<EcsSnapshot>);
    clearAll([
      this.clusters,
      this.taskDefinitions,
      this.latestRevision,
      this.services,
      this.containerInstances,
      this.containerInstanceByEc2,
      this.tasks,
      this.tasksByCluster,
      this.tasksByService,
      this.activeTasksByService,
      this.tasksByFamily,
      this.tasksByContainerInstance,
      this.servicesByCluster,
      this.instancesByCluster,
      this.stoppingTasks,
      this.stopDue,
      this.freshStops,
    ]);
    this.stopQueue.clear();
    for (const cluster of snapshot.clusters ?? []) {
      this.clusters.set(cluster.name, cluster);
      this.tasksByCluster.set(cluster.name, new Set());
    }
    for (const definition of snapshot.taskDefinitions ?? []) {
      this.taskDefinitions.set(`${definition.family}:${definition.revision}`, definition);
      const latest = this.latestRevision.get(definition.family) ?? 0;
      if (definition.revision > latest) this.latestRevision.set(definition.family, definition.revision);
    }
    for (const service of snapshot.services ?? []) this.addService(service);
    for (const instance of snapshot.containerInstances ?? []) {
      this.addContainerInstance(instance);
      this.containerInstanceByEc2.set(`${instance.cluster}/${instance.ec2InstanceId}`, instance.id);
    }
    for (const task of snapshot.tasks ?? []) this.addTask(task);
  }

  /**
   * Moves every stopping task to the status the sandbox clock has reached (lazily, before each read). Only
   * tasks with a transition due are touched (a queue ordered by due time), so an ECS call costs nothing when
   * no stop is due: the same result as advancing every stopping task, without a scan of all of them.
   */
  protected advanceStops(): void {
    const now = this.ctx.now();
    if (this.freshStops.size === 0 && !(this.stopQueue.peekDue() <= now)) return;
    const due = new Set(this.freshStops);
    this.freshStops.clear();
    while (this.stopQueue.peekDue() <= now) {
      const [at, id] = this.stopQueue.pop() as [number, string];
      if (this.stopDue.get(id) === at && this.stoppingTasks.has(id)) due.add(id);
    }
    for (const id of due) {
      const task = this.tasks.get(id);
      if (!task || advanceStop(task, now)) {
        this.stoppingTasks.delete(id);
        this.stopDue.delete(id);
        continue;
      }
      const next = nextStopTransition(task) ?? Number.NEGATIVE_INFINITY;
      this.stopDue.set(id, next);
      this.stopQueue.push(next, id);
    }
  }

  /** A task starts stopping (or is restored stopping): its transitions are due from now on. */
  protected trackStop(id: string): void {
    this.stoppingTasks.add(id);
    this.stopDue.delete(id);
    this.freshStops.add(id);
  }

  // ---- identities -----------------------------------------------------------------------------------------

  /** Fargate runtime ids are `<task id>-<n>`; EC2 ones are Docker's 64-hex container ids. */
  protected runtimeId(taskId: string, index: number, launchType: LaunchType): string {
    if (launchType === 'FARGATE') return `${taskId}-${digits(`${taskId}|${index}`, 10)}`;
    return sha256Hex(`${taskId}|${index}`);
  }

  protected newEni(
    eniId: string | undefined,
    subnetId: string | undefined,
    privateIp: string | undefined,
    deleted: boolean,
  ): NonNullable<TaskRecord['eni']> {
    const networkInterfaceId = eniId ?? `eni-${hexId(this.ctx, 'eni', 17)}`;
    const bytes = sha256Bytes(networkInterfaceId);
    return {
      attachmentId: uuidFromHex(hexId(this.ctx, 'attachment', 32)),
      networkInterfaceId,
      subnetId,
      privateIpv4Address: privateIp ?? `10.0.${bytes[0] ?? 0}.${4 + ((bytes[1] ?? 0) % 250)}`,
      macAddress: ['0a', ...bytes.slice(2, 7).map((byte) => byte.toString(16).padStart(2, '0'))].join(':'),
      status: deleted ? 'DELETED' : 'ATTACHED',
    };
  }

  // ---- lookups --------------------------------------------------------------------------------------------

  /** This account's ARN for a task definition given as an ARN, `family:revision` or a family (latest, else 1). */
  protected normalizeTaskDefinitionArn(ref: string): string {
    const [family = ref, revisionText] = taskDefinitionKey(ref).split(':');
    const revision =
      revisionText === undefined ? (this.latestRevision.get(family) ?? 1) : Number(revisionText);
    return this.taskDefinitionArn(family, revision);
  }

  protected resolveTaskDefinition(ref: string): TaskDefinitionRecord {
    const key = taskDefinitionKey(ref);
    const definition = key.includes(':')
      ? this.taskDefinitions.get(key)
      : this.taskDefinitions.get(`${key}:${this.latestRevision.get(key) ?? 0}`);
    if (!definition) throw new AwsError('ClientException', 'Unable to describe task definition.');
    return definition;
  }

  protected requireCluster(ref: string | undefined): ClusterRecord {
    const cluster = this.clusters.get(resourceName(ref ?? 'default'));
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  protected isVisible(task: TaskRecord): boolean {
    if (task.stoppedAt === undefined) return true;
    return this.ctx.now() - isoMs(task.stoppedAt) <= STOPPED_TASK_RETENTION_MS;
  }

  protected visibleTask(ref: string, cluster: string): TaskRecord | undefined {
    const task = this.tasks.get(lastSegment(ref));
    return task && task.cluster === cluster && this.isVisible(task) ? task : undefined;
  }

  protected serviceOfGroup(cluster: string, group: string): ServiceRecord | undefined {
    return group.startsWith('service:') ? this.services.get(`${cluster}/${group.slice(8)}`) : undefined;
  }

  /** The service that started the task; a RunTask caller's `group` makes none. */
  protected serviceOfTask(task: TaskRecord): ServiceRecord | undefined {
    return task.standaloneGroup ? undefined : this.serviceOfGroup(task.cluster, task.group);
  }

  protected activeCount(service: ServiceRecord): number {
    return this.activeTasksByService.get(`${service.cluster}/${service.name}`)?.size ?? 0;
  }

  /** The service's tasks with desiredStatus RUNNING, oldest first. */
  protected runningTasks(service: ServiceRecord): TaskRecord[] {
    const ids = this.activeTasksByService.get(`${service.cluster}/${service.name}`) ?? [];
    return [...ids].flatMap((id) => this.tasks.get(id) ?? []);
  }

  protected addService(service: ServiceRecord): void {
    const key = `${service.cluster}/${service.name}`;
    this.services.set(key, service);
    indexAdd(this.servicesByCluster, service.cluster, key);
  }

  protected addContainerInstance(instance: ContainerInstanceRecord): void {
    this.containerInstances.set(instance.id, instance);
    indexAdd(this.instancesByCluster, instance.cluster, instance.id);
  }

  protected addTask(task: TaskRecord): void {
    this.tasks.set(task.id, task);
    indexAdd(this.tasksByCluster, task.cluster, task.id);
    indexAdd(this.tasksByFamily, `${task.cluster}/${task.family}`, task.id);
    if (task.group.startsWith('service:') && !task.standaloneGroup) {
      indexAdd(this.tasksByService, `${task.cluster}/${task.group.slice(8)}`, task.id);
      if (task.desiredStatus === 'RUNNING') {
        indexAdd(this.activeTasksByService, `${task.cluster}/${task.group.slice(8)}`, task.id);
      }
    }
    if (task.containerInstanceId !== undefined) {
      indexAdd(this.tasksByContainerInstance, task.containerInstanceId, task.id);
    }
    if (task.stopProgress) this.trackStop(task.id);
  }

  /** The record a resource ARN names, whose `tags` TagResource and UntagResource edit in place. */
  protected taggable(resourceArn: string | undefined): { tags: Tag[]; desiredStatus?: string } {
    const match =
      /^arn:[^:]+:ecs:[^:]*:[^:]*:(cluster|task|service|container-instance|task-definition)\/(.+)$/.exec(
        resourceArn ?? '',
      );
    const kind = match?.[1];
    const path = match?.[2] ?? '';
    let resource: { tags: Tag[]; desiredStatus?: string } | undefined;
    switch (kind) {
      case 'cluster':
        resource = this.clusters.get(path);
        if (!resource) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
        break;
      case 'task': {
        const task = this.tasks.get(lastSegment(path));
        resource = task && this.isVisible(task) ? task : undefined;
        break;
      }
      case 'service': {
        const [cluster, name] = path.includes('/') ? path.split('/') : ['default', path];
        resource = this.services.get(`${cluster}/${name}`);
        break;
      }
      case 'container-instance':
        resource = this.containerInstances.get(lastSegment(path));
        break;
      case 'task-definition':
        resource = this.taskDefinitions.get(path);
        break;
      default:
        throw new AwsError('InvalidParameterException', `Invalid resource ARN: ${String(resourceArn)}`);
    }
    if (!resource) throw new AwsError('ResourceNotFoundException', 'The specified resource was not found.');
    return resource;
  }

  /** How many of the service's tasks are RUNNING now (its runningCount). */
  protected runningCount(service: ServiceRecord): number {
    let running = 0;
    for (const task of this.runningTasks(service)) if (task.lastStatus === 'RUNNING') running += 1;
    return running;
  }

  /** How many tasks placed on the container instance are meant to run (its runningTasksCount). */
  protected instanceRunningCount(instance: ContainerInstanceRecord): number {
    let running = 0;
    for (const id of this.tasksByContainerInstance.get(instance.id) ?? []) {
      if (this.tasks.get(id)?.desiredStatus === 'RUNNING') running += 1;
    }
    return running;
  }
}
