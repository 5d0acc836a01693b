/**
 * Amazon ECS in the sandbox account: clusters, task definitions, services, container instances and tasks,
 * with the scheduler behaviour containment depends on.
 *
 * AWS behaviour kept:
 * - `StopTask` deletes every tag of the task; stopped tasks stay describable for an hour, then are MISSING.
 * - A service replaces a stopped task at once. The replacement reuses the image digest the deployment
 *   resolved (ECS software version consistency), so an archived or deleted digest makes it fail to start
 *   (`CannotPullContainerError`, stop code `TaskFailedToStart`) even if its tag has moved.
 * - EC2-launch replacements need an ACTIVE container instance; with none the task is not placed.
 * - Draining a container instance replaces its service tasks elsewhere and stops them once the replacement
 *   runs (minimum healthy 100%): with no other capacity they keep running.
 * Simplified: tasks stop at once (no STOPPING phase, no stop timeout); a replacement that cannot start is
 * tried once, not retried with backoff; a generated awsvpc ENI exists only in this service, not in EC2.
 */
import { createHash } from 'node:crypto';
import type {
  Attachment,
  Cluster,
  ContainerInstance,
  DescribeClustersRequest,
  DescribeClustersResponse,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  LaunchType,
  ListClustersRequest,
  ListClustersResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTasksRequest,
  ListTasksResponse,
  NetworkMode,
  Service,
  StopTaskRequest,
  StopTaskResponse,
  Tag,
  TagResourceRequest,
  Task,
  TaskDefinition,
  TaskStopCode,
  UntagResourceRequest,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

/** AWS keeps stopped tasks visible to DescribeTasks for about an hour. */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
const MAX_TAGS = 50;
const MAX_REASON = 255;
const MAX_SERVICE_EVENTS = 100;

export interface EcsDependencies {
  /** Whether `image` pinned to `digest` can be pulled now (the account wires this to ECR). */
  imagePullable(image: string, digest: string | undefined): boolean;
}

export interface ClusterRecord {
  name: string;
  createdAt: string;
  tags: Tag[];
}

export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  networkMode: NetworkMode;
  taskRoleArn?: string;
  containers: Array<{ name: string; image: string }>;
  registeredAt: string;
  tags: Tag[];
}

export interface ServiceRecord {
  name: string;
  cluster: string;
  taskDefinitionArn: string;
  desiredCount: number;
  launchType?: LaunchType;
  createdAt: string;
  deploymentId: string;
  failedTasks: number;
  events: Array<{ id: string; createdAt: string; message: string }>;
  tags: Tag[];
}

export interface ContainerInstanceRecord {
  id: string;
  cluster: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING';
  registeredAt: string;
  version: number;
  tags: Tag[];
}

export interface TaskContainerRecord {
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  containerId: string;
  lastStatus: string;
  reason?: string;
}

export interface TaskRecord {
  arn: string;
  id: string;
  cluster: string;
  taskDefinitionArn: string;
  family: string;
  group: string;
  launchType: LaunchType;
  lastStatus: string;
  desiredStatus: string;
  containers: TaskContainerRecord[];
  eni?: {
    attachmentId: string;
    networkInterfaceId: string;
    subnetId?: string;
    privateIpv4Address: string;
    macAddress: string;
    status: string;
  };
  /** Id of the hosting container instance (EC2 launch type). */
  containerInstanceId?: string;
  containerInstanceArn?: string;
  startedBy?: string;
  tags: Tag[];
  createdAt: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  stoppedReason?: string;
  stopCode?: TaskStopCode;
  version: number;
}

export interface EcsSnapshot {
  clusters: ClusterRecord[];
  taskDefinitions: TaskDefinitionRecord[];
  services: ServiceRecord[];
  containerInstances: ContainerInstanceRecord[];
  tasks: TaskRecord[];
}

type TagInput = Array<{ key: string; value: string }> | Record<string, string>;

export interface PutTaskDefinitionInput {
  family: string;
  revision?: number;
  networkMode: NetworkMode;
  taskRoleArn?: string;
  containers: Array<{ name: string; image: string }>;
  tags?: TagInput;
}

export interface PutServiceInput {
  cluster: string;
  name: string;
  taskDefinitionArn: string;
  desiredCount?: number;
  tags?: TagInput;
  launchType?: LaunchType;
}

export interface PutTaskInput {
  cluster: string;
  taskArn?: string;
  taskDefinitionArn: string;
  group?: string;
  launchType: LaunchType;
  lastStatus?: string;
  containers: Array<{ name: string; image: string; imageDigest?: string }>;
  eniId?: string;
  privateIp?: string;
  subnetId?: string;
  containerInstanceArn?: string;
  tags?: TagInput;
  startedAt?: Date | string;
  startedBy?: string;
}

export class EcsService implements SandboxService {
  readonly name = 'ecs' as const;
  readonly operations: Readonly<Record<string, Operation>> = {
    DescribeTasks: op((input: DescribeTasksRequest) => this.describeTasks(input)),
    ListTasks: op((input: ListTasksRequest) => this.listTasks(input)),
    StopTask: op((input: StopTaskRequest) => this.stopTask(input)),
    DescribeServices: op((input: DescribeServicesRequest) => this.describeServices(input)),
    UpdateService: op((input: UpdateServiceRequest) => this.updateService(input)),
    DescribeClusters: op((input: DescribeClustersRequest) => this.describeClusters(input)),
    ListClusters: op((input: ListClustersRequest) => this.listClusters(input)),
    DescribeTaskDefinition: op((input: DescribeTaskDefinitionRequest) => this.describeTaskDefinition(input)),
    DescribeContainerInstances: op((input: DescribeContainerInstancesRequest) =>
      this.describeContainerInstances(input),
    ),
    UpdateContainerInstancesState: op((input: UpdateContainerInstancesStateRequest) =>
      this.updateContainerInstancesState(input),
    ),
    TagResource: op((input: TagResourceRequest) => this.tagResource(input)),
    UntagResource: op((input: UntagResourceRequest) => this.untagResource(input)),
    ListTagsForResource: op((input: ListTagsForResourceRequest) => this.listTagsForResource(input)),
  };

  private readonly clusters = new Map<string, ClusterRecord>();
  /** `family:revision` -> task definition */
  private readonly taskDefinitions = new Map<string, TaskDefinitionRecord>();
  private readonly latestRevision = new Map<string, number>();
  /** `cluster/name` -> service */
  private readonly services = new Map<string, ServiceRecord>();
  private readonly containerInstances = new Map<string, ContainerInstanceRecord>();
  /** `cluster/ec2InstanceId` -> container instance id */
  private readonly containerInstanceByEc2 = new Map<string, string>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly pendingReplacements: { service: ServiceRecord; replaced: TaskRecord }[] = [];
  /** Secondary indexes of task ids, so filtered listings never scan every task of the account. */
  private readonly tasksByCluster = new Map<string, Set<string>>();
  private readonly tasksByService = new Map<string, Set<string>>();
  /** `cluster/service` -> ids of its tasks whose desiredStatus is RUNNING: what the scheduler counts. */
  private readonly activeTasksByService = new Map<string, Set<string>>();
  private readonly tasksByFamily = new Map<string, Set<string>>();
  private readonly tasksByContainerInstance = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: AccountContext,
    private readonly deps: EcsDependencies,
  ) {}

  // ---- ARNs ---------------------------------------------------------------------------------------------

  private arn(resource: string): string {
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

  // ---- provisioning -------------------------------------------------------------------------------------

  putCluster(input: { name: string; tags?: TagInput }): string {
    const name = resourceName(input.name);
    if (!this.clusters.has(name)) {
      this.clusters.set(name, { name, createdAt: this.isoNow(), tags: toEcsTags(input.tags) });
      this.tasksByCluster.set(name, new Set());
    }
    return this.clusterArn(name);
  }

  /**
   * Registers a revision unless an identical one exists: with `revision`, that revision; without, the
   * latest revision when it has the same content, else the next one.
   */
  putTaskDefinition(input: PutTaskDefinitionInput): string {
    const latest = this.latestRevision.get(input.family) ?? 0;
    const candidate = input.revision ?? latest;
    const existing = this.taskDefinitions.get(`${input.family}:${candidate}`);
    if (existing && (input.revision !== undefined || sameTaskDefinition(existing, input))) {
      return this.taskDefinitionArn(existing.family, existing.revision);
    }
    const revision = input.revision ?? latest + 1;
    this.taskDefinitions.set(`${input.family}:${revision}`, {
      family: input.family,
      revision,
      networkMode: input.networkMode,
      taskRoleArn: input.taskRoleArn,
      containers: input.containers.map(({ name, image }) => ({ name, image })),
      registeredAt: this.isoNow(),
      tags: toEcsTags(input.tags),
    });
    if (revision > latest) this.latestRevision.set(input.family, revision);
    return this.taskDefinitionArn(input.family, revision);
  }

  putService(input: PutServiceInput): string {
    this.putCluster({ name: input.cluster });
    const cluster = resourceName(input.cluster);
    const name = resourceName(input.name);
    const key = `${cluster}/${name}`;
    if (!this.services.has(key)) {
      const running = this.activeTasksByService.get(key)?.size ?? 0;
      this.services.set(key, {
        name,
        cluster,
        // Not registered here: the first task put for the service registers it with its real containers.
        taskDefinitionArn: this.normalizeTaskDefinitionArn(input.taskDefinitionArn),
        desiredCount: input.desiredCount ?? Math.max(1, running),
        launchType: input.launchType,
        createdAt: this.isoNow(),
        deploymentId: `ecs-svc/${digits(`${cluster}/${name}`, 19)}`,
        failedTasks: 0,
        events: [],
        tags: toEcsTags(input.tags),
      });
    }
    return this.serviceArn(cluster, name);
  }

  putContainerInstance(input: { cluster: string; ec2InstanceId: string; arn?: string }): string {
    this.putCluster({ name: input.cluster });
    const cluster = resourceName(input.cluster);
    const byEc2 = this.containerInstanceByEc2.get(`${cluster}/${input.ec2InstanceId}`);
    const id =
      input.arn === undefined ? (byEc2 ?? this.hex('container-instance', 32)) : lastSegment(input.arn);
    if (!this.containerInstances.has(id)) {
      this.containerInstances.set(id, {
        id,
        cluster,
        ec2InstanceId: input.ec2InstanceId,
        status: 'ACTIVE',
        registeredAt: this.isoNow(),
        version: 1,
        tags: [],
      });
      this.containerInstanceByEc2.set(`${cluster}/${input.ec2InstanceId}`, id);
    }
    return this.containerInstanceArn(cluster, id);
  }

  /** Stores a task as found (e.g. from a finding) unless a task with that id exists; returns its ARN. */
  putTask(input: PutTaskInput): string {
    this.putCluster({ name: input.cluster });
    const cluster = resourceName(input.cluster);
    const id = input.taskArn === undefined ? this.hex('task', 32) : lastSegment(input.taskArn);
    const known = this.tasks.get(id);
    if (known) return known.arn;
    const eniWanted = input.eniId !== undefined || input.launchType === 'FARGATE';
    const taskDefinitionArn = this.ensureTaskDefinition(
      input.taskDefinitionArn,
      input.containers,
      eniWanted ? 'FARGATE' : input.launchType,
    );
    const definition = this.taskDefinitions.get(taskDefinitionKey(taskDefinitionArn));
    const family = definition?.family ?? taskDefinitionKey(taskDefinitionArn).split(':')[0] ?? 'unknown';
    const lastStatus = input.lastStatus ?? 'RUNNING';
    const stopped = lastStatus === 'STOPPED';
    const now = this.isoNow();
    const startedAt = toIso(input.startedAt) ?? now;
    const group = input.group ?? `family:${family}`;
    const service = this.serviceOfGroup(cluster, group);
    const containerInstanceId =
      input.containerInstanceArn === undefined ? undefined : lastSegment(input.containerInstanceArn);
    const task: TaskRecord = {
      arn: isLongTaskArn(input.taskArn) ? input.taskArn : this.taskArn(cluster, id),
      id,
      cluster,
      taskDefinitionArn,
      family,
      group,
      launchType: input.launchType,
      lastStatus,
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      containers: input.containers.map((container, index) => ({
        name: container.name,
        image: container.image,
        imageDigest: container.imageDigest,
        runtimeId: this.runtimeId(id, index, input.launchType),
        containerId: this.hex('container', 32),
        lastStatus: stopped ? 'STOPPED' : lastStatus,
      })),
      eni:
        eniWanted || definition?.networkMode === 'awsvpc'
          ? this.newEni(input.eniId, input.subnetId, input.privateIp, stopped)
          : undefined,
      containerInstanceId,
      containerInstanceArn: input.containerInstanceArn,
      startedBy: input.startedBy ?? service?.deploymentId,
      tags: stopped ? [] : toEcsTags(input.tags),
      createdAt: startedAt,
      startedAt,
      stoppingAt: stopped ? now : undefined,
      stoppedAt: stopped ? now : undefined,
      stoppedReason: stopped ? 'Task stopped by user' : undefined,
      stopCode: stopped ? 'UserInitiated' : undefined,
      version: stopped ? 5 : 3,
    };
    this.addTask(task);
    // A service in steady state runs at least the tasks it has: keep desiredCount consistent with them.
    if (service && !stopped) {
      service.desiredCount = Math.max(service.desiredCount, this.activeCount(service));
    }
    return task.arn;
  }

  /**
   * Starts the replacements of tasks stopped so far. The service scheduler takes seconds to provision a
   * replacement (tens of seconds on Fargate) before it pulls the image, so offline a replacement launches
   * once the response that stopped the task has finished: whatever the response did to the image
   * (quarantine) is in place by then, as it is on AWS.
   */
  launchPendingReplacements(): void {
    const pending = this.pendingReplacements.splice(0);
    for (const { service, replaced } of pending) this.scale(service, replaced);
  }

  /** The stored task (a copy), for the account's provisioning and for assertions. */
  getTask(taskArnOrId: string): TaskRecord | undefined {
    const task = this.tasks.get(lastSegment(taskArnOrId));
    return task && structuredClone(task);
  }

  snapshot(): EcsSnapshot {
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
    for (const map of [
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
    ]) {
      map.clear();
    }
    for (const cluster of snapshot.clusters ?? []) {
      this.clusters.set(cluster.name, cluster);
      this.tasksByCluster.set(cluster.name, new Set());
    }
    for (const definition of snapshot.taskDefinitions ?? []) {
      this.taskDefinitions.set(`${definition.family}:${definition.revision}`, definition);
      const latest = this.latestRevision.get(definition.family) ?? 0;
      if (definition.revision > latest) this.latestRevision.set(definition.family, definition.revision);
    }
    for (const service of snapshot.services ?? [])
      this.services.set(`${service.cluster}/${service.name}`, service);
    for (const instance of snapshot.containerInstances ?? []) {
      this.containerInstances.set(instance.id, instance);
      this.containerInstanceByEc2.set(`${instance.cluster}/${instance.ec2InstanceId}`, instance.id);
    }
    for (const task of snapshot.tasks ?? []) this.addTask(task);
  }

  // ---- operations ---------------------------------------------------------------------------------------

  private describeTasks(input: DescribeTasksRequest): DescribeTasksResponse {
    const cluster = this.requireCluster(input.cluster);
    const refs = input.tasks ?? [];
    if (refs.length === 0) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.');
    if (refs.length > 100) {
      throw new AwsError('InvalidParameterException', 'Too many tasks were provided. Up to 100 are allowed.');
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    const seen = new Set<string>();
    for (const ref of refs) {
      const task = this.visibleTask(ref, cluster.name);
      if (!task) {
        failures.push({
          arn: ref.startsWith('arn:') ? ref : this.taskArn(cluster.name, ref),
          reason: 'MISSING',
        });
        continue;
      }
      if (seen.has(task.id)) continue;
      seen.add(task.id);
      tasks.push(this.taskView(task, includeTags));
    }
    return { tasks, failures };
  }

  private listTasks(input: ListTasksRequest): ListTasksResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const desiredStatus = input.desiredStatus ?? 'RUNNING';
    let candidates: Set<string> | undefined;
    let serviceGroup: string | undefined;
    if (input.serviceName !== undefined) {
      const name = resourceName(input.serviceName);
      if (!this.services.has(`${cluster}/${name}`)) {
        throw new AwsError('ServiceNotFoundException', 'Service not found.');
      }
      serviceGroup = `service:${name}`;
      candidates = this.tasksByService.get(`${cluster}/${name}`);
    }
    const instanceId =
      input.containerInstance === undefined ? undefined : lastSegment(input.containerInstance);
    if (!candidates && input.family !== undefined)
      candidates = this.tasksByFamily.get(`${cluster}/${input.family}`);
    if (!candidates && instanceId !== undefined) candidates = this.tasksByContainerInstance.get(instanceId);
    candidates ??= this.tasksByCluster.get(cluster);
    const arns: string[] = [];
    for (const id of candidates ?? []) {
      const task = this.tasks.get(id);
      if (!task || task.cluster !== cluster || !this.isVisible(task)) continue;
      if (task.desiredStatus !== desiredStatus) continue;
      if (serviceGroup !== undefined && task.group !== serviceGroup) continue;
      if (input.family !== undefined && task.family !== input.family) continue;
      if (instanceId !== undefined && task.containerInstanceId !== instanceId) continue;
      if (input.launchType !== undefined && task.launchType !== input.launchType) continue;
      if (input.startedBy !== undefined && task.startedBy !== input.startedBy) continue;
      arns.push(task.arn);
    }
    const page = paginate(arns, input.maxResults, input.nextToken, 100);
    return { taskArns: page.items, nextToken: page.nextToken };
  }

  private stopTask(input: StopTaskRequest): StopTaskResponse {
    const cluster = this.requireCluster(input.cluster).name;
    if (typeof input.task !== 'string' || input.task.length === 0) {
      throw new AwsError('InvalidParameterException', 'task can not be blank.');
    }
    if (input.reason !== undefined && input.reason.length > MAX_REASON) {
      throw new AwsError('InvalidParameterException', `Reason must be at most ${MAX_REASON} characters.`);
    }
    const task = this.visibleTask(input.task, cluster);
    if (!task) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
    if (task.desiredStatus !== 'STOPPED') {
      this.stop(task, 'UserInitiated', input.reason ?? 'Task stopped by user');
      const service = this.serviceOfGroup(task.cluster, task.group);
      if (service) this.pendingReplacements.push({ service, replaced: task });
    }
    return { task: this.taskView(task, false) };
  }

  private describeServices(input: DescribeServicesRequest): DescribeServicesResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const refs = input.services ?? [];
    if (refs.length === 0 || refs.length > 10) {
      throw new AwsError('InvalidParameterException', 'services must hold between 1 and 10 services.');
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const services: Service[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const name = resourceName(ref);
      const service = this.services.get(`${cluster}/${name}`);
      if (service) services.push(this.serviceView(service, includeTags));
      else failures.push({ arn: this.serviceArn(cluster, name), reason: 'MISSING' });
    }
    return { services, failures };
  }

  private updateService(input: UpdateServiceRequest): UpdateServiceResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const service = this.services.get(`${cluster}/${resourceName(input.service ?? '')}`);
    if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    if (input.taskDefinition !== undefined) {
      const definition = this.resolveTaskDefinition(input.taskDefinition);
      service.taskDefinitionArn = this.taskDefinitionArn(definition.family, definition.revision);
    }
    if (input.desiredCount !== undefined) {
      if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) {
        throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
      }
      service.desiredCount = input.desiredCount;
      this.scale(service, this.runningTasks(service).at(-1));
    }
    return { service: this.serviceView(service, false) };
  }

  private describeClusters(input: DescribeClustersRequest): DescribeClustersResponse {
    const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
    const includeTags = input.include?.includes('TAGS') ?? false;
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const cluster = this.clusters.get(resourceName(ref));
      if (!cluster) {
        failures.push({ arn: this.clusterArn(resourceName(ref)), reason: 'MISSING' });
        continue;
      }
      let running = 0;
      for (const id of this.tasksByCluster.get(cluster.name) ?? []) {
        if (this.tasks.get(id)?.lastStatus === 'RUNNING') running += 1;
      }
      let services = 0;
      for (const service of this.services.values()) if (service.cluster === cluster.name) services += 1;
      let instances = 0;
      for (const instance of this.containerInstances.values())
        if (instance.cluster === cluster.name) instances += 1;
      clusters.push({
        clusterArn: this.clusterArn(cluster.name),
        clusterName: cluster.name,
        status: 'ACTIVE',
        registeredContainerInstancesCount: instances,
        runningTasksCount: running,
        pendingTasksCount: 0,
        activeServicesCount: services,
        statistics: [],
        tags: includeTags ? copyTags(cluster.tags) : undefined,
        settings: [{ name: 'containerInsights', value: 'disabled' }],
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
      });
    }
    return { clusters, failures };
  }

  private listClusters(input: ListClustersRequest): ListClustersResponse {
    const arns = [...this.clusters.keys()].map((name) => this.clusterArn(name));
    const page = paginate(arns, input.maxResults, input.nextToken, 100);
    return { clusterArns: page.items, nextToken: page.nextToken };
  }

  private describeTaskDefinition(input: DescribeTaskDefinitionRequest): DescribeTaskDefinitionResponse {
    const definition = this.resolveTaskDefinition(input.taskDefinition ?? '');
    return {
      taskDefinition: this.taskDefinitionView(definition),
      tags: input.include?.includes('TAGS') ? copyTags(definition.tags) : undefined,
    };
  }

  private describeContainerInstances(
    input: DescribeContainerInstancesRequest,
  ): DescribeContainerInstancesResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const refs = input.containerInstances ?? [];
    if (refs.length === 0 || refs.length > 100) {
      throw new AwsError(
        'InvalidParameterException',
        'containerInstances must hold between 1 and 100 entries.',
      );
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const containerInstances: ContainerInstance[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.containerInstances.get(lastSegment(ref));
      if (instance && instance.cluster === cluster) {
        containerInstances.push(this.containerInstanceView(instance, includeTags));
      } else {
        failures.push({ arn: this.containerInstanceArn(cluster, lastSegment(ref)), reason: 'MISSING' });
      }
    }
    return { containerInstances, failures };
  }

  private updateContainerInstancesState(
    input: UpdateContainerInstancesStateRequest,
  ): UpdateContainerInstancesStateResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const refs = input.containerInstances ?? [];
    if (refs.length === 0 || refs.length > 10) {
      throw new AwsError(
        'InvalidParameterException',
        'containerInstances must hold between 1 and 10 entries.',
      );
    }
    const status = input.status;
    if (status !== 'ACTIVE' && status !== 'DRAINING') {
      throw new AwsError(
        'InvalidParameterException',
        'Container instance status must be ACTIVE or DRAINING.',
      );
    }
    const containerInstances: ContainerInstance[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.containerInstances.get(lastSegment(ref));
      if (!instance || instance.cluster !== cluster) {
        failures.push({ arn: this.containerInstanceArn(cluster, lastSegment(ref)), reason: 'MISSING' });
        continue;
      }
      if (instance.status !== status) {
        instance.status = status;
        instance.version += 1;
        if (status === 'DRAINING') this.drain(instance);
      }
      containerInstances.push(this.containerInstanceView(instance, false));
    }
    return { containerInstances, failures };
  }

  private tagResource(input: TagResourceRequest): Record<string, never> {
    const resource = this.taggable(input.resourceArn);
    if ('desiredStatus' in resource && resource.desiredStatus === 'STOPPED') {
      throw new AwsError(
        'InvalidParameterException',
        'The specified task is stopped. Specify a running task and try again.',
      );
    }
    const tags = input.tags ?? [];
    if (tags.length === 0 || tags.length > MAX_TAGS) {
      throw new AwsError(
        'InvalidParameterException',
        `Between 1 and ${MAX_TAGS} tags can be added at a time.`,
      );
    }
    const merged = new Map(resource.tags.map((tag) => [tag.key ?? '', tag.value ?? '']));
    for (const tag of tags) {
      const key = tag.key ?? '';
      if (key.length === 0 || key.length > 128 || (tag.value ?? '').length > 256) {
        throw new AwsError(
          'InvalidParameterException',
          'Tag keys must be 1-128 and values 0-256 characters.',
        );
      }
      if (key.toLowerCase().startsWith('aws:')) {
        throw new AwsError('InvalidParameterException', 'Tag keys starting with aws: are reserved.');
      }
      merged.set(key, tag.value ?? '');
    }
    if (merged.size > MAX_TAGS) {
      throw new AwsError('InvalidParameterException', `A resource can have at most ${MAX_TAGS} tags.`);
    }
    resource.tags = [...merged].map(([key, value]) => ({ key, value }));
    return {};
  }

  private untagResource(input: UntagResourceRequest): Record<string, never> {
    const resource = this.taggable(input.resourceArn);
    const remove = new Set(input.tagKeys ?? []);
    resource.tags = resource.tags.filter((tag) => !remove.has(tag.key ?? ''));
    return {};
  }

  private listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return { tags: copyTags(this.taggable(input.resourceArn).tags) };
  }

  // ---- scheduler ----------------------------------------------------------------------------------------

  private stop(task: TaskRecord, stopCode: TaskStopCode, reason: string): void {
    const now = this.isoNow();
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = now;
    task.stoppedAt = now;
    // AWS deletes every tag of a task when it stops.
    task.tags = [];
    for (const container of task.containers) container.lastStatus = 'STOPPED';
    if (task.eni) task.eni.status = 'DELETED';
    task.version += 1;
    if (task.group.startsWith('service:')) {
      this.activeTasksByService.get(`${task.cluster}/${task.group.slice(8)}`)?.delete(task.id);
    }
  }

  /** Brings the service's RUNNING tasks to desiredCount, as its scheduler would. */
  private scale(service: ServiceRecord, template: TaskRecord | undefined): void {
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
  private startServiceTask(service: ServiceRecord, template: TaskRecord | undefined): TaskRecord | undefined {
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
    const id = this.hex('task', 32);
    const now = this.isoNow();
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
        containerId: this.hex('container', 32),
        lastStatus: pullable ? 'RUNNING' : 'STOPPED',
        reason: pullable ? undefined : pullError,
      })),
      eni:
        networkMode === 'awsvpc'
          ? this.newEni(undefined, template?.eni?.subnetId, undefined, !pullable)
          : undefined,
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

  /** The task whose digests the deployment uses: the stopped one if it ran this task definition, else a sibling. */
  private deploymentReference(
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

  private placement(cluster: string, preferred: string | undefined): ContainerInstanceRecord | undefined {
    const first = preferred === undefined ? undefined : this.containerInstances.get(preferred);
    if (first?.status === 'ACTIVE' && first.cluster === cluster) return first;
    for (const instance of this.containerInstances.values()) {
      if (instance.cluster === cluster && instance.status === 'ACTIVE') return instance;
    }
    return undefined;
  }

  /** Service tasks on a draining instance move once their replacement runs elsewhere (minimum healthy 100%). */
  private drain(instance: ContainerInstanceRecord): void {
    for (const id of [...(this.tasksByContainerInstance.get(instance.id) ?? [])]) {
      const task = this.tasks.get(id);
      if (task?.desiredStatus !== 'RUNNING') continue;
      const service = this.serviceOfGroup(task.cluster, task.group);
      if (!service) continue;
      const replacement = this.startServiceTask(service, task);
      if (replacement?.lastStatus === 'RUNNING') {
        this.stop(task, 'ServiceSchedulerInitiated', `Container instance ${instance.id} is draining`);
      }
    }
  }

  private serviceEvent(service: ServiceRecord, message: string): void {
    service.events.unshift({ id: uuid(this.hex('event', 32)), createdAt: this.isoNow(), message });
    service.events.length = Math.min(service.events.length, MAX_SERVICE_EVENTS);
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private isoNow(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  /** `length` hex digits from the account's deterministic id source, whatever prefix it adds. */
  private hex(prefix: string, length: number): string {
    const raw = this.ctx
      .nextId(prefix, length)
      .toLowerCase()
      .replace(/[^0-9a-f]/g, '');
    return raw.slice(-length).padStart(length, '0');
  }

  /** Fargate runtime ids are `<task id>-<n>`; EC2 ones are Docker's 64-hex container ids. */
  private runtimeId(taskId: string, index: number, launchType: LaunchType): string {
    if (launchType === 'FARGATE') return `${taskId}-${digits(`${taskId}|${index}`, 10)}`;
    return createHash('sha256').update(`${taskId}|${index}`).digest('hex');
  }

  private newEni(
    eniId: string | undefined,
    subnetId: string | undefined,
    privateIp: string | undefined,
    deleted: boolean,
  ): NonNullable<TaskRecord['eni']> {
    const networkInterfaceId = eniId ?? `eni-${this.hex('eni', 17)}`;
    const bytes = [...createHash('sha256').update(networkInterfaceId).digest()];
    return {
      attachmentId: uuid(this.hex('attachment', 32)),
      networkInterfaceId,
      subnetId,
      privateIpv4Address: privateIp ?? `10.0.${bytes[0] ?? 0}.${4 + ((bytes[1] ?? 0) % 250)}`,
      macAddress: ['0a', ...bytes.slice(2, 7).map((byte) => byte.toString(16).padStart(2, '0'))].join(':'),
      status: deleted ? 'DELETED' : 'ATTACHED',
    };
  }

  /** Resolves (or registers, from the task's own containers) the task definition a task or service names. */
  private ensureTaskDefinition(
    ref: string,
    containers: Array<{ name: string; image: string }>,
    launchType: LaunchType,
  ): string {
    const arn = this.normalizeTaskDefinitionArn(ref);
    const [family = ref, revisionText = '1'] = taskDefinitionKey(arn).split(':');
    const revision = Number(revisionText);
    if (this.taskDefinitions.has(`${family}:${revision}`)) return arn;
    return this.putTaskDefinition({
      family,
      revision,
      networkMode: launchType === 'FARGATE' ? 'awsvpc' : 'bridge',
      containers,
    });
  }

  /** This account's ARN for a task definition given as an ARN, `family:revision` or a family (latest, else 1). */
  private normalizeTaskDefinitionArn(ref: string): string {
    const [family = ref, revisionText] = taskDefinitionKey(ref).split(':');
    const revision =
      revisionText === undefined ? (this.latestRevision.get(family) ?? 1) : Number(revisionText);
    return this.taskDefinitionArn(family, revision);
  }

  private resolveTaskDefinition(ref: string): TaskDefinitionRecord {
    const key = taskDefinitionKey(ref);
    const definition = key.includes(':')
      ? this.taskDefinitions.get(key)
      : this.taskDefinitions.get(`${key}:${this.latestRevision.get(key) ?? 0}`);
    if (!definition) throw new AwsError('ClientException', 'Unable to describe task definition.');
    return definition;
  }

  private requireCluster(ref: string | undefined): ClusterRecord {
    const cluster = this.clusters.get(resourceName(ref ?? 'default'));
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  private isVisible(task: TaskRecord): boolean {
    if (task.stoppedAt === undefined) return true;
    return this.ctx.now() - Date.parse(task.stoppedAt) <= STOPPED_TASK_RETENTION_MS;
  }

  private visibleTask(ref: string, cluster: string): TaskRecord | undefined {
    const task = this.tasks.get(lastSegment(ref));
    return task && task.cluster === cluster && this.isVisible(task) ? task : undefined;
  }

  private serviceOfGroup(cluster: string, group: string): ServiceRecord | undefined {
    return group.startsWith('service:') ? this.services.get(`${cluster}/${group.slice(8)}`) : undefined;
  }

  private activeCount(service: ServiceRecord): number {
    return this.activeTasksByService.get(`${service.cluster}/${service.name}`)?.size ?? 0;
  }

  /** The service's tasks with desiredStatus RUNNING, oldest first. */
  private runningTasks(service: ServiceRecord): TaskRecord[] {
    const ids = this.activeTasksByService.get(`${service.cluster}/${service.name}`) ?? [];
    return [...ids].flatMap((id) => this.tasks.get(id) ?? []);
  }

  private addTask(task: TaskRecord): void {
    this.tasks.set(task.id, task);
    indexAdd(this.tasksByCluster, task.cluster, task.id);
    indexAdd(this.tasksByFamily, `${task.cluster}/${task.family}`, task.id);
    if (task.group.startsWith('service:')) {
      indexAdd(this.tasksByService, `${task.cluster}/${task.group.slice(8)}`, task.id);
      if (task.desiredStatus === 'RUNNING') {
        indexAdd(this.activeTasksByService, `${task.cluster}/${task.group.slice(8)}`, task.id);
      }
    }
    if (task.containerInstanceId !== undefined) {
      indexAdd(this.tasksByContainerInstance, task.containerInstanceId, task.id);
    }
  }

  /** The record a resource ARN names, whose `tags` TagResource and UntagResource edit in place. */
  private taggable(resourceArn: string | undefined): { tags: Tag[]; desiredStatus?: string } {
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

  private taskView(task: TaskRecord, includeTags: boolean): Task {
    const started = task.startedAt !== undefined;
    const attachments: Attachment[] = [];
    if (task.eni) {
      const details = [
        { name: 'subnetId', value: task.eni.subnetId },
        { name: 'networkInterfaceId', value: task.eni.networkInterfaceId },
        { name: 'macAddress', value: task.eni.macAddress },
        { name: 'privateIPv4Address', value: task.eni.privateIpv4Address },
      ].filter((detail) => detail.value !== undefined);
      attachments.push({
        id: task.eni.attachmentId,
        type: 'ElasticNetworkInterface',
        status: task.eni.status,
        details,
      });
    }
    const fargate = task.launchType === 'FARGATE';
    return {
      attachments,
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: `${this.ctx.region}a`,
      clusterArn: this.clusterArn(task.cluster),
      connectivity: started ? 'CONNECTED' : undefined,
      connectivityAt: started ? date(task.startedAt) : undefined,
      containerInstanceArn: task.containerInstanceArn,
      containers: task.containers.map((container) => ({
        containerArn: this.arn(`container/${task.cluster}/${task.id}/${uuid(container.containerId)}`),
        taskArn: task.arn,
        name: container.name,
        image: container.image,
        imageDigest: container.imageDigest,
        runtimeId: container.runtimeId,
        lastStatus: container.lastStatus,
        reason: container.reason,
        networkInterfaces: task.eni
          ? [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIpv4Address }]
          : [],
        healthStatus: 'UNKNOWN',
        cpu: '0',
      })),
      cpu: '256',
      memory: '512',
      createdAt: date(task.createdAt),
      desiredStatus: task.desiredStatus,
      enableExecuteCommand: false,
      executionStoppedAt: date(task.stoppedAt),
      group: task.group,
      healthStatus: 'UNKNOWN',
      lastStatus: task.lastStatus,
      launchType: task.launchType,
      overrides: {
        containerOverrides: task.containers.map((container) => ({ name: container.name })),
        inferenceAcceleratorOverrides: [],
      },
      platformVersion: fargate ? '1.4.0' : undefined,
      platformFamily: fargate ? 'Linux' : undefined,
      pullStartedAt: started ? date(task.createdAt) : undefined,
      pullStoppedAt: started ? date(task.startedAt) : undefined,
      startedAt: date(task.startedAt),
      startedBy: task.startedBy,
      stopCode: task.stopCode,
      stoppedAt: date(task.stoppedAt),
      stoppedReason: task.stoppedReason,
      stoppingAt: date(task.stoppingAt),
      tags: includeTags ? copyTags(task.tags) : undefined,
      taskArn: task.arn,
      taskDefinitionArn: task.taskDefinitionArn,
      version: task.version,
      ephemeralStorage: fargate ? { sizeInGiB: 20 } : undefined,
    };
  }

  private serviceView(service: ServiceRecord, includeTags: boolean): Service {
    let running = 0;
    for (const task of this.runningTasks(service)) if (task.lastStatus === 'RUNNING') running += 1;
    const launchType = service.launchType;
    return {
      serviceArn: this.serviceArn(service.cluster, service.name),
      serviceName: service.name,
      clusterArn: this.clusterArn(service.cluster),
      loadBalancers: [],
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: service.desiredCount,
      runningCount: running,
      pendingCount: 0,
      launchType,
      taskDefinition: service.taskDefinitionArn,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [
        {
          id: service.deploymentId,
          status: 'PRIMARY',
          taskDefinition: service.taskDefinitionArn,
          desiredCount: service.desiredCount,
          pendingCount: 0,
          runningCount: running,
          failedTasks: service.failedTasks,
          createdAt: date(service.createdAt),
          updatedAt: date(service.events[0]?.createdAt ?? service.createdAt),
          launchType,
          rolloutState: 'COMPLETED',
          rolloutStateReason: 'ECS deployment completed.',
        },
      ],
      events: service.events.map((event) => ({ ...event, createdAt: date(event.createdAt) })),
      createdAt: date(service.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      tags: includeTags ? copyTags(service.tags) : undefined,
      enableECSManagedTags: false,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
    };
  }

  private taskDefinitionView(definition: TaskDefinitionRecord): TaskDefinition {
    const awsvpc = definition.networkMode === 'awsvpc';
    return {
      taskDefinitionArn: this.taskDefinitionArn(definition.family, definition.revision),
      containerDefinitions: definition.containers.map((container) => ({
        name: container.name,
        image: container.image,
        cpu: 0,
        essential: true,
        portMappings: [],
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
      })),
      family: definition.family,
      taskRoleArn: definition.taskRoleArn,
      networkMode: definition.networkMode,
      revision: definition.revision,
      volumes: [],
      status: 'ACTIVE',
      requiresAttributes: [],
      placementConstraints: [],
      compatibilities: awsvpc ? ['EC2', 'FARGATE'] : ['EC2'],
      requiresCompatibilities: awsvpc ? ['FARGATE'] : ['EC2'],
      cpu: '256',
      memory: '512',
      registeredAt: date(definition.registeredAt),
    };
  }

  private containerInstanceView(instance: ContainerInstanceRecord, includeTags: boolean): ContainerInstance {
    let running = 0;
    for (const id of this.tasksByContainerInstance.get(instance.id) ?? []) {
      if (this.tasks.get(id)?.desiredStatus === 'RUNNING') running += 1;
    }
    return {
      containerInstanceArn: this.containerInstanceArn(instance.cluster, instance.id),
      ec2InstanceId: instance.ec2InstanceId,
      version: instance.version,
      versionInfo: { agentVersion: '1.86.3', dockerVersion: 'DockerVersion: 25.0.6' },
      remainingResources: [],
      registeredResources: [],
      status: instance.status,
      agentConnected: true,
      runningTasksCount: running,
      pendingTasksCount: 0,
      attributes: [],
      registeredAt: date(instance.registeredAt),
      attachments: [],
      tags: includeTags ? copyTags(instance.tags) : undefined,
    };
  }
}

/** Operations receive the SDK command input as-is; this names its type once, at the boundary. */
function op<T>(fn: (input: T) => unknown): Operation {
  return (input) => fn(input as unknown as T);
}

function date(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

function toIso(value: Date | string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

function lastSegment(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The name in a cluster or service reference given as a name or as an ARN. */
function resourceName(ref: string): string {
  return ref.startsWith('arn:') ? lastSegment(ref) : ref;
}

/** `family:revision` (or a bare family) from a task definition ARN or reference. */
function taskDefinitionKey(ref: string): string {
  const marker = ref.indexOf('task-definition/');
  return marker >= 0 ? ref.slice(marker + 'task-definition/'.length) : ref;
}

/** Long ARN format `…:task/CLUSTER/ID`, kept as given so replayed findings and the sandbox agree. */
function isLongTaskArn(arn: string | undefined): arn is string {
  return arn !== undefined && /^arn:[^:]+:ecs:[^:]+:\d{12}:task\/[^/]+\/[^/]+$/.test(arn);
}

function sameTaskDefinition(existing: TaskDefinitionRecord, input: PutTaskDefinitionInput): boolean {
  return (
    existing.networkMode === input.networkMode &&
    existing.taskRoleArn === input.taskRoleArn &&
    JSON.stringify(existing.containers) ===
      JSON.stringify(input.containers.map(({ name, image }) => ({ name, image })))
  );
}

function toEcsTags(tags: TagInput | undefined): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map(({ key, value }) => ({ key, value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function copyTags(tags: Tag[]): Tag[] {
  return tags.map((tag) => ({ ...tag }));
}

function indexAdd(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function uuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}

/** `count` decimal digits derived from `seed` (deployment ids, Fargate runtime id suffixes). */
function digits(seed: string, count: number): string {
  const hash = createHash('sha256').update(seed).digest();
  let out = '';
  for (const byte of hash) {
    if (out.length >= count) break;
    out += String(byte % 10);
  }
  return out.replace(/^0/, '1');
}

/** ECS pages default to 100 results; tokens are offsets. */
function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit)) {
    throw new AwsError('InvalidParameterException', `maxResults must be between 1 and ${limit}.`);
  }
  let start = 0;
  if (nextToken !== undefined) {
    const offset = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AwsError('InvalidParameterException', 'Invalid nextToken.');
    start = offset;
  }
  const end = start + (maxResults ?? limit);
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}
