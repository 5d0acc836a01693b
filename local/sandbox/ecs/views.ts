/** Records as the ECS API returns them: the SDK's Task, Service, TaskDefinition and ContainerInstance shapes. */
import type { Attachment, ContainerInstance, Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { uuidFromHex } from '../shared';
import type { ContainerInstanceRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from './records';
import { copyTags, date } from './references';
import type { EcsStore } from './store';

/** The ARN builders of the account the records belong to. */
type EcsArns = Pick<
  EcsStore,
  'arn' | 'clusterArn' | 'serviceArn' | 'taskDefinitionArn' | 'containerInstanceArn'
>;

/** Each container's ARN, built once: it depends only on fields a record never changes (cluster, task id, container id). */
const containerArns = new WeakMap<object, string>();

function containerArn(arns: EcsArns, task: TaskRecord, container: TaskRecord['containers'][number]): string {
  let arn = containerArns.get(container);
  if (arn === undefined) {
    arn = arns.arn(`container/${task.cluster}/${task.id}/${uuidFromHex(container.containerId)}`);
    containerArns.set(container, arn);
  }
  return arn;
}

export function taskView(
  arns: EcsArns,
  task: TaskRecord,
  includeTags: boolean,
  availabilityZone: string,
): Task {
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
    availabilityZone,
    clusterArn: arns.clusterArn(task.cluster),
    connectivity: started ? 'CONNECTED' : undefined,
    connectivityAt: started ? date(task.startedAt) : undefined,
    containerInstanceArn: task.containerInstanceArn,
    containers: task.containers.map((container) => ({
      containerArn: containerArn(arns, task, container),
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
    executionStoppedAt: date(task.executionStoppedAt ?? task.stoppedAt),
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

export function serviceView(
  arns: EcsArns,
  service: ServiceRecord,
  running: number,
  includeTags: boolean,
): Service {
  const launchType = service.launchType;
  const networkConfiguration = service.network && {
    awsvpcConfiguration: {
      subnets: [...service.network.subnets],
      securityGroups: [...service.network.securityGroups],
      assignPublicIp: 'DISABLED' as const,
    },
  };
  return {
    serviceArn: arns.serviceArn(service.cluster, service.name),
    serviceName: service.name,
    clusterArn: arns.clusterArn(service.cluster),
    loadBalancers: [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: 0,
    launchType,
    taskDefinition: service.taskDefinitionArn,
    ...(networkConfiguration ? { networkConfiguration } : {}),
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
        ...(networkConfiguration ? { networkConfiguration } : {}),
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

export function taskDefinitionView(arns: EcsArns, definition: TaskDefinitionRecord): TaskDefinition {
  const awsvpc = definition.networkMode === 'awsvpc';
  return {
    taskDefinitionArn: arns.taskDefinitionArn(definition.family, definition.revision),
    containerDefinitions: definition.containers.map((container) => ({
      name: container.name,
      image: container.image,
      stopTimeout: container.stopTimeout,
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

export function containerInstanceView(
  arns: EcsArns,
  instance: ContainerInstanceRecord,
  running: number,
  includeTags: boolean,
): ContainerInstance {
  return {
    containerInstanceArn: arns.containerInstanceArn(instance.cluster, instance.id),
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
