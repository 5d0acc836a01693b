/**
 * Amazon ECS in the sandbox account: clusters, task definitions, services, container instances and tasks,
 * with the scheduler behaviour containment depends on.
 *
 * AWS behaviour kept:
 * - `StopTask` returns the task still RUNNING with desiredStatus STOPPED and deletes every tag of the task;
 *   lastStatus then moves through DEACTIVATING, STOPPING (up to each container's `stopTimeout`) and, for
 *   awsvpc, DEPROVISIONING to STOPPED on the sandbox clock (lifecycle.ts). A second StopTask changes
 *   nothing. Stopped tasks stay describable for an hour, then are MISSING.
 * - A service replaces a task once its stop is requested. The replacement reuses the image digest the deployment
 *   resolved (ECS software version consistency), so an archived or deleted digest makes it fail to start
 *   (`CannotPullContainerError`, stop code `TaskFailedToStart`) even if its tag has moved.
 * - EC2-launch replacements need an ACTIVE container instance; with none the task is not placed.
 * - Draining a container instance replaces its service tasks elsewhere and stops them once the replacement
 *   runs (minimum healthy 100%): with no other capacity they keep running.
 * Simplified: every container ignores SIGTERM (it stops at SIGKILL, the worst case); a replacement that cannot start is
 * tried once, not retried with backoff; a generated awsvpc ENI exists only in this service, not in EC2.
 */
import type {
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
  ListServicesRequest,
  ListServicesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTasksRequest,
  ListTasksResponse,
  Service,
  StopTaskRequest,
  StopTaskResponse,
  TagResourceRequest,
  Task,
  UntagResourceRequest,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { hexId, isoNow, op, toIso } from '../shared';
import { AwsError, type Operation, type SandboxService } from '../types';
import {
  MAX_REASON,
  MAX_TAGS,
  type PutServiceInput,
  type PutTaskDefinitionInput,
  type PutTaskInput,
  type ServiceNetwork,
  type TagInput,
  type TaskDefinitionContainer,
  type TaskRecord,
} from './records';
import {
  copyTags,
  definitionContainers,
  digits,
  isLongTaskArn,
  lastSegment,
  paginate,
  resourceName,
  sameTaskDefinition,
  taskDefinitionKey,
  toEcsTags,
} from './references';
import { EcsScheduler } from './scheduler';
import { containerInstanceView, serviceView, taskDefinitionView, taskView } from './views';

export class EcsService extends EcsScheduler implements SandboxService {
  readonly name = 'ecs' as const;
  readonly operations: Readonly<Record<string, Operation>> = {
    DescribeTasks: this.timed((input: DescribeTasksRequest) => this.describeTasks(input)),
    ListTasks: this.timed((input: ListTasksRequest) => this.listTasks(input)),
    StopTask: this.timed((input: StopTaskRequest) => this.stopTask(input)),
    DescribeServices: this.timed((input: DescribeServicesRequest) => this.describeServices(input)),
    UpdateService: this.timed((input: UpdateServiceRequest) => this.updateService(input)),
    DescribeClusters: this.timed((input: DescribeClustersRequest) => this.describeClusters(input)),
    ListClusters: this.timed((input: ListClustersRequest) => this.listClusters(input)),
    ListServices: this.timed((input: ListServicesRequest) => this.listServices(input)),
    DescribeTaskDefinition: this.timed((input: DescribeTaskDefinitionRequest) =>
      this.describeTaskDefinition(input),
    ),
    DescribeContainerInstances: this.timed((input: DescribeContainerInstancesRequest) =>
      this.describeContainerInstances(input),
    ),
    UpdateContainerInstancesState: this.timed((input: UpdateContainerInstancesStateRequest) =>
      this.updateContainerInstancesState(input),
    ),
    TagResource: this.timed((input: TagResourceRequest) => this.tagResource(input)),
    UntagResource: this.timed((input: UntagResourceRequest) => this.untagResource(input)),
    ListTagsForResource: this.timed((input: ListTagsForResourceRequest) => this.listTagsForResource(input)),
  };

  /** An operation that first brings stopping tasks to the status the sandbox clock has reached. */
  private timed<T>(fn: (input: T) => unknown): Operation {
    return op((input: T) => {
      this.advanceStops();
      return fn(input);
    });
  }

  // ---- provisioning -------------------------------------------------------------------------------------

  putCluster(input: { name: string; tags?: TagInput }): string {
    const name = resourceName(input.name);
    if (!this.clusters.has(name)) {
      this.clusters.set(name, { name, createdAt: isoNow(this.ctx), tags: toEcsTags(input.tags) });
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
      containers: definitionContainers(input.containers),
      registeredAt: isoNow(this.ctx),
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
      this.addService({
        name,
        cluster,
        // Not registered here: the first task put for the service registers it with its real containers.
        taskDefinitionArn: this.normalizeTaskDefinitionArn(input.taskDefinitionArn),
        desiredCount: input.desiredCount ?? Math.max(1, running),
        launchType: input.launchType,
        ...(input.network
          ? {
              network: {
                subnets: [...input.network.subnets],
                securityGroups: [...input.network.securityGroups],
              },
            }
          : {}),
        createdAt: isoNow(this.ctx),
        deploymentId: `ecs-svc/${digits(`${cluster}/${name}`, 19)}`,
        failedTasks: 0,
        events: [],
        tags: toEcsTags(input.tags),
      });
    }
    return this.serviceArn(cluster, name);
  }

  /** The service's awsvpcConfiguration (a copy), for provisioning its tasks; undefined without one. */
  serviceNetwork(cluster: string, name: string): ServiceNetwork | undefined {
    const network = this.services.get(`${resourceName(cluster)}/${resourceName(name)}`)?.network;
    return network && structuredClone(network);
  }

  /** Gives a service the network configuration its first task showed (a service found from a finding). */
  setServiceNetwork(cluster: string, name: string, network: ServiceNetwork): void {
    const service = this.services.get(`${resourceName(cluster)}/${resourceName(name)}`);
    if (service && !service.network) service.network = structuredClone(network);
  }

  putContainerInstance(input: { cluster: string; ec2InstanceId: string; arn?: string }): string {
    this.putCluster({ name: input.cluster });
    const cluster = resourceName(input.cluster);
    const byEc2 = this.containerInstanceByEc2.get(`${cluster}/${input.ec2InstanceId}`);
    const id =
      input.arn === undefined ? (byEc2 ?? hexId(this.ctx, 'container-instance', 32)) : lastSegment(input.arn);
    if (!this.containerInstances.has(id)) {
      this.addContainerInstance({
        id,
        cluster,
        ec2InstanceId: input.ec2InstanceId,
        status: 'ACTIVE',
        registeredAt: isoNow(this.ctx),
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
    const id = input.taskArn === undefined ? hexId(this.ctx, 'task', 32) : lastSegment(input.taskArn);
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
    const now = isoNow(this.ctx);
    const startedAt = toIso(input.startedAt) ?? now;
    const group = input.group ?? `family:${family}`;
    const service = input.standaloneGroup ? undefined : this.serviceOfGroup(cluster, group);
    const containerInstanceId =
      input.containerInstanceArn === undefined ? undefined : lastSegment(input.containerInstanceArn);
    const task: TaskRecord = {
      arn: isLongTaskArn(input.taskArn) ? input.taskArn : this.taskArn(cluster, id),
      id,
      cluster,
      taskDefinitionArn,
      family,
      group,
      ...(input.standaloneGroup ? { standaloneGroup: true } : {}),
      launchType: input.launchType,
      lastStatus,
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      containers: input.containers.map((container, index) => ({
        name: container.name,
        image: container.image,
        imageDigest: container.imageDigest,
        runtimeId: this.runtimeId(id, index, input.launchType),
        containerId: hexId(this.ctx, 'container', 32),
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

  /** Resolves (or registers, from the task's own containers) the task definition a task or service names. */
  private ensureTaskDefinition(
    ref: string,
    containers: TaskDefinitionContainer[],
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
      tasks.push(taskView(this, task, includeTags, `${this.ctx.region}a`));
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
      if (serviceGroup !== undefined && (task.group !== serviceGroup || task.standaloneGroup)) continue;
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
    // A task already stopping (or stopped) is returned as it is: the first stop's reason and timing stand.
    if (task.desiredStatus !== 'STOPPED') {
      this.stop(task, 'UserInitiated', input.reason ?? 'Task stopped by user');
      const service = this.serviceOfTask(task);
      if (service) this.pendingReplacements.push({ service, replaced: task });
    }
    return { task: taskView(this, task, false, `${this.ctx.region}a`) };
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
      if (service) services.push(serviceView(this, service, this.runningCount(service), includeTags));
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
    return { service: serviceView(this, service, this.runningCount(service), false) };
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
      const services = this.servicesByCluster.get(cluster.name)?.size ?? 0;
      const instances = this.instancesByCluster.get(cluster.name)?.size ?? 0;
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
    const page = paginate([...this.clusters.keys()], input.maxResults, input.nextToken, 100);
    return { clusterArns: page.items.map((name) => this.clusterArn(name)), nextToken: page.nextToken };
  }

  /** ListServices: the cluster's services, 10 a page unless maxResults (at most 100) says otherwise. */
  private listServices(input: ListServicesRequest): ListServicesResponse {
    const cluster = this.requireCluster(input.cluster).name;
    const arns = [...(this.servicesByCluster.get(cluster) ?? [])]
      .flatMap((key) => this.services.get(key) ?? [])
      .filter((service) => input.launchType === undefined || service.launchType === input.launchType)
      .map((service) => this.serviceArn(service.cluster, service.name));
    const page = paginate(arns, input.maxResults ?? 10, input.nextToken, 100);
    return { serviceArns: page.items, nextToken: page.nextToken };
  }

  private describeTaskDefinition(input: DescribeTaskDefinitionRequest): DescribeTaskDefinitionResponse {
    const definition = this.resolveTaskDefinition(input.taskDefinition ?? '');
    return {
      taskDefinition: taskDefinitionView(this, definition),
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
        containerInstances.push(
          containerInstanceView(this, instance, this.instanceRunningCount(instance), includeTags),
        );
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
      containerInstances.push(
        containerInstanceView(this, instance, this.instanceRunningCount(instance), false),
      );
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
}
