/** The records the sandbox ECS keeps (plain JSON, so a snapshot is a copy of them) and its provisioning inputs. */
import type { LaunchType, NetworkMode, Tag, TaskStopCode } from '@aws-sdk/client-ecs';

/** AWS keeps stopped tasks visible to DescribeTasks for about an hour. */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
export const MAX_TAGS = 50;
export const MAX_REASON = 255;
export const MAX_SERVICE_EVENTS = 100;

export interface EcsDependencies {
  /** Whether `image` pinned to `digest` can be pulled now (the account wires this to ECR). */
  imagePullable(image: string, digest: string | undefined): boolean;
  /**
   * The ENI of a new awsvpc task, with the groups of its network configuration (the account wires this to
   * EC2); undefined when EC2 does not know the subnet.
   */
  taskInterface?(input: {
    subnetId: string;
    groups: readonly string[];
  }): { networkInterfaceId: string; privateIpAddress: string } | undefined;
}

/** A service's awsvpcConfiguration: ECS gives every task the service starts these subnets and groups. */
export interface ServiceNetwork {
  subnets: string[];
  securityGroups: string[];
}

export interface ClusterRecord {
  name: string;
  createdAt: string;
  tags: Tag[];
}

/** A container definition as far as the sandbox uses it; `stopTimeout` in seconds (ECS default 30 s when absent). */
export interface TaskDefinitionContainer {
  name: string;
  image: string;
  stopTimeout?: number;
}

export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  networkMode: NetworkMode;
  taskRoleArn?: string;
  containers: TaskDefinitionContainer[];
  registeredAt: string;
  tags: Tag[];
}

export interface ServiceRecord {
  name: string;
  cluster: string;
  taskDefinitionArn: string;
  desiredCount: number;
  launchType?: LaunchType;
  /** awsvpc services only. */
  network?: ServiceNetwork;
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
  /**
   * The group was written by whoever called RunTask (`service:NAME` included): the task belongs to no
   * service, and the service's ListTasks does not list it.
   */
  standaloneGroup?: boolean;
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
  /** When the containers had exited (SIGKILL at the latest); stoppedAt follows once the task is deprovisioned. */
  executionStoppedAt?: string;
  stoppedAt?: string;
  stoppedReason?: string;
  stopCode?: TaskStopCode;
  /** A stop requested but not finished: when each later lastStatus begins (see lifecycle.ts). */
  stopProgress?: {
    phases: Array<{ status: string; at: string }>;
    executionStoppedAt: string;
  };
  version: number;
}

export interface EcsSnapshot {
  clusters: ClusterRecord[];
  taskDefinitions: TaskDefinitionRecord[];
  services: ServiceRecord[];
  containerInstances: ContainerInstanceRecord[];
  tasks: TaskRecord[];
}

export type TagInput = Array<{ key: string; value: string }> | Record<string, string>;

export interface PutTaskDefinitionInput {
  family: string;
  revision?: number;
  networkMode: NetworkMode;
  taskRoleArn?: string;
  containers: TaskDefinitionContainer[];
  tags?: TagInput;
}

export interface PutServiceInput {
  cluster: string;
  name: string;
  taskDefinitionArn: string;
  desiredCount?: number;
  tags?: TagInput;
  launchType?: LaunchType;
  network?: ServiceNetwork;
}

export interface PutTaskInput {
  cluster: string;
  taskArn?: string;
  taskDefinitionArn: string;
  group?: string;
  /** The group is RunTask's `group` parameter, not a service's: see TaskRecord.standaloneGroup. */
  standaloneGroup?: boolean;
  launchType: LaunchType;
  lastStatus?: string;
  containers: Array<{ name: string; image: string; imageDigest?: string; stopTimeout?: number }>;
  eniId?: string;
  privateIp?: string;
  subnetId?: string;
  containerInstanceArn?: string;
  tags?: TagInput;
  startedAt?: Date | string;
  startedBy?: string;
}
