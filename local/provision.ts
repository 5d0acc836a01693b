/**
 * The sandbox's resources. Auto-provisioning makes whatever an event refers to exist (cluster, a RUNNING
 * task with its own ENI and security group, task definition, service, ECR repository and image), so any
 * real finding replays as is. A scenario file describes or overrides resources: a shared security group,
 * EC2 bridge mode on a container instance, an immutable repository, an exempt service, a stopped task…
 * Each thing is provisioned once per sandbox: a repeat event never resurrects a stopped task.
 */

import { createHash } from 'node:crypto';
import { parseImage } from '../lambdas/core/image';
import type { MemberRoleScenario } from './organization';
import { provisionSignature, type SignatureKind } from './provision-signatures';
import type { SandboxAccount } from './sandbox/account';
import type { AccountState } from './sandbox/organizations';
import { isRecord } from './sandbox/shared';

type Tags = Record<string, string>;

export interface ScenarioTask {
  readonly cluster: string;
  readonly taskArn?: string;
  readonly service?: string;
  /**
   * A `group` written by the RunTask caller (e.g. `service:payments-api` on a task no service started): the
   * task is standalone whatever its group says. Ignored with `service`.
   */
  readonly group?: string;
  readonly launchType?: 'FARGATE' | 'EC2';
  readonly networkMode?: 'awsvpc' | 'bridge' | 'host';
  readonly lastStatus?: 'RUNNING' | 'STOPPED';
  readonly containers: { readonly name: string; readonly image: string }[];
  /** Security groups of the task ENI (awsvpc); a group listed on several tasks is shared. Default: one of its own. */
  readonly securityGroups?: readonly string[];
  /** EC2 launch type: the container instance's EC2 instance id. */
  readonly ec2InstanceId?: string;
  readonly tags?: Tags;
  /** Start this many identical tasks (a service with N tasks on the same digest). */
  readonly count?: number;
}

export interface Scenario {
  readonly description?: string;
  /** Set false to run against only what the scenario describes. */
  readonly autoProvision?: boolean;
  readonly clusters?: readonly { readonly name: string; readonly tags?: Tags }[];
  readonly services?: readonly {
    readonly cluster: string;
    readonly name: string;
    readonly image?: string;
    readonly desiredCount?: number;
    readonly tags?: Tags;
    /** The service's network configuration: every task it runs gets these groups (default: its first task's). */
    readonly securityGroups?: readonly string[];
  }[];
  readonly tasks?: readonly ScenarioTask[];
  readonly repositories?: readonly {
    readonly name: string;
    readonly mutability?: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';
    readonly tags?: Tags;
    readonly images?: readonly {
      readonly tags: readonly string[];
      readonly digest?: string;
      /** How the image is signed (default `none`); the trusted profile is the first of `signing.trustedProfiles`. */
      readonly signature?: SignatureKind;
      /** Envelope format of its signature (default `jws`). */
      readonly signatureFormat?: 'jws' | 'cose';
    }[];
  }[];
  /** Quarantine security group per VPC, for EC2 container-instance isolation. */
  readonly quarantineSecurityGroups?: Readonly<Record<string, string>>;
  /**
   * Member accounts' roles (with memberAccountRoleName): by default auto-provisioned trusting the central
   * roles; `false` leaves an account without it, `{ "trustedAccount": "…" }` trusts another account instead,
   * `{ "distrusts": ["memberEcsCall"] }` leaves those central roles out of its trust (an older template).
   */
  readonly memberRoles?: Readonly<Record<string, MemberRoleScenario>>;
  /**
   * The organization around the deployment account. `listAccounts: false`: the deployment account is neither
   * the management account nor a delegated administrator, so organizations:ListAccounts is refused.
   * `accountStates`: a member account's Organizations state (default ACTIVE), e.g. `SUSPENDED` once closed.
   */
  readonly organization?: {
    /**
     * The management account, when not the deployment account. A service-managed StackSet does not deploy to
     * it, so it gets the member role only with `managementRole: true` (deployed there by hand).
     */
    readonly managementAccount?: string;
    readonly managementRole?: boolean;
    readonly listAccounts?: boolean;
    readonly accountStates?: Readonly<Record<string, AccountState>>;
  };
  /**
   * With `securityHub: "on"`: when Security Hub imports the event's finding. `imported` (default) before the
   * response looks; a number: only after that many lookups (the product's delay); `never`.
   */
  readonly securityHubImport?: 'imported' | 'never' | number;
  /**
   * With `securityHub: "on"`: which Security Hub the account has enabled, CSPM (ASFF), the newer Security Hub
   * (OCSF, `v2`), `both` or `none`; default `cspm`. Findings are imported into the enabled ones.
   */
  readonly securityHubEnabled?: 'cspm' | 'v2' | 'both' | 'none';
  /** What a disabled Security Hub (V2) answers GetFindingsV2 (not documented): AccessDeniedException (default) or an empty list. */
  readonly securityHubV2DisabledAnswer?: 'AccessDeniedException' | 'empty';
}

const VPC = 'vpc-0sandbox0000000';
function once(account: SandboxAccount, key: string): boolean {
  if (account.provisioned.has(key)) return false;
  account.provisioned.add(key);
  return true;
}

// Every event hashes the same few ids again (a repeat, the cluster, the image): a bounded memo of a pure function.
const hashes = new Map<string, string>();

function hex(text: string, length: number): string {
  let digest = hashes.get(text);
  if (digest === undefined) {
    digest = createHash('sha256').update(text).digest('hex');
    if (hashes.size >= 10_000) hashes.clear();
    hashes.set(text, digest);
  }
  return digest.slice(0, length);
}

function tagsOf(value: unknown): Tags {
  const tags: Tags = {};
  if (Array.isArray(value)) {
    for (const t of value)
      if (isRecord(t) && typeof t.key === 'string') tags[t.key] = typeof t.value === 'string' ? t.value : '';
  }
  return tags;
}

/** The digest the sandbox gives an image pushed as `repository:tag`, when neither event nor scenario names one. */
function defaultDigest(repository: string, tag: string): string {
  return `sha256:${hex(`${repository}:${tag}`, 64)}`;
}

function digestOfTag(account: SandboxAccount, repository: string, tag: string): string | undefined {
  try {
    const out = account.ecr.operations.DescribeImages?.({
      repositoryName: repository,
      imageIds: [{ imageTag: tag }],
    }) as { imageDetails?: { imageDigest?: string }[] } | undefined;
    return out?.imageDetails?.[0]?.imageDigest;
  } catch {
    // No such repository or tag yet: it is provisioned below.
    return undefined;
  }
}

/** Makes an image of this account's ECR exist, once; returns its digest (undefined for other registries). */
function ensureImage(account: SandboxAccount, uri: string): string | undefined {
  const image = parseImage(uri);
  if (!image.ecr || image.ecr.accountId !== account.accountId || image.ecr.region !== account.region)
    return image.digest;
  const tag = image.tag ?? (image.digest ? undefined : 'latest');
  // A tag a scenario already pushed keeps pointing at its image.
  const existing = !image.digest && tag ? digestOfTag(account, image.repository, tag) : undefined;
  if (existing) return existing;
  const key = `image:${image.repository}:${image.digest ?? tag}`;
  const digest = image.digest ?? defaultDigest(image.repository, tag ?? 'latest');
  if (once(account, key)) {
    account.ecr.putRepository({ name: image.repository });
    account.ecr.putImage({ repository: image.repository, digest, tags: tag ? [tag] : [] });
  }
  return digest;
}

/** The security groups, each made to exist once with the sandbox's one ingress rule. */
function ensureGroups(account: SandboxAccount, groupIds: readonly string[]): void {
  if (once(account, `vpc:${VPC}`)) account.ec2.putVpc(VPC);
  for (const groupId of groupIds) {
    if (once(account, `sg:${groupId}`)) {
      account.ec2.putSecurityGroup({
        groupId,
        groupName: `task-${groupId}`,
        vpcId: VPC,
        ingress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
      });
    }
  }
}

function ensureNetwork(
  account: SandboxAccount,
  taskId: string,
  groups?: readonly string[],
): { eniId: string; subnetId: string; privateIp: string; groupIds: string[] } {
  if (once(account, `vpc:${VPC}`)) account.ec2.putVpc(VPC);
  const subnetId = `subnet-${hex(`subnet${taskId}`, 17)}`;
  account.ec2.putSubnet({ subnetId, vpcId: VPC });
  const groupIds = groups && groups.length > 0 ? [...groups] : [`sg-${hex(`sg${taskId}`, 17)}`];
  ensureGroups(account, groupIds);
  const eniId = `eni-${hex(`eni${taskId}`, 17)}`;
  const n = Number.parseInt(hex(taskId, 4), 16);
  const privateIp = `10.0.${(n >> 8) & 255}.${n & 255 || 1}`;
  account.ec2.putNetworkInterface({
    networkInterfaceId: eniId,
    subnetId,
    vpcId: VPC,
    groups: groupIds,
    requesterManaged: true,
    interfaceType: 'interface',
    privateIpAddress: privateIp,
    description: `arn:aws:ecs:${account.region}:${account.accountId}:attachment/${taskId}`,
  });
  return { eniId, subnetId, privateIp, groupIds };
}

interface TaskSpec {
  readonly cluster: string;
  readonly taskArn: string;
  readonly family: string;
  readonly serviceName?: string;
  /** RunTask's `group`, for a standalone task. */
  readonly group?: string;
  readonly launchType: 'FARGATE' | 'EC2';
  readonly networkMode: 'awsvpc' | 'bridge' | 'host';
  readonly lastStatus?: string;
  /** `digest`: the digest ECS reported for the container (ECS Task State Change events). */
  readonly containers: { readonly name: string; readonly image: string; readonly digest?: string }[];
  readonly securityGroups?: readonly string[];
  readonly ec2InstanceId?: string;
  readonly tags?: Tags;
  readonly startedAt?: string;
}

function provisionTask(account: SandboxAccount, spec: TaskSpec): void {
  if (!once(account, `task:${spec.taskArn}`)) return;
  account.ecs.putCluster({ name: spec.cluster });
  const taskDefinitionArn = account.ecs.putTaskDefinition({
    family: spec.family,
    networkMode: spec.networkMode,
    taskRoleArn: `arn:aws:iam::${account.accountId}:role/${spec.family}-task`,
    containers: spec.containers.map((c) => ({ name: c.name, image: c.image })),
  });
  if (spec.serviceName && once(account, `service:${spec.cluster}/${spec.serviceName}`)) {
    account.ecs.putService({
      cluster: spec.cluster,
      name: spec.serviceName,
      taskDefinitionArn,
      desiredCount: 1,
      launchType: spec.launchType,
    });
  }
  const taskId = spec.taskArn.slice(spec.taskArn.lastIndexOf('/') + 1);
  // ECS gives a service's tasks the groups of the service's network configuration.
  const serviceNetwork = spec.serviceName
    ? account.ecs.serviceNetwork(spec.cluster, spec.serviceName)
    : undefined;
  const network =
    spec.networkMode === 'awsvpc'
      ? ensureNetwork(account, taskId, spec.securityGroups ?? serviceNetwork?.securityGroups)
      : undefined;
  // A service known only from its task (a finding): its network configuration is what the task shows.
  if (spec.serviceName && network && !serviceNetwork) {
    account.ecs.setServiceNetwork(spec.cluster, spec.serviceName, {
      subnets: [network.subnetId],
      securityGroups: network.groupIds,
    });
  }
  let containerInstanceArn: string | undefined;
  if (spec.launchType === 'EC2' && spec.networkMode !== 'awsvpc') {
    const instanceId = spec.ec2InstanceId ?? `i-${hex(`i${taskId}`, 17)}`;
    if (once(account, `instance:${instanceId}`)) {
      if (once(account, `vpc:${VPC}`)) account.ec2.putVpc(VPC);
      const subnetId = `subnet-${hex(`hosts${spec.cluster}`, 17)}`;
      account.ec2.putSubnet({ subnetId, vpcId: VPC });
      const hostGroup = `sg-${hex(`host${spec.cluster}`, 17)}`;
      if (once(account, `sg:${hostGroup}`))
        account.ec2.putSecurityGroup({ groupId: hostGroup, groupName: 'ecs-hosts', vpcId: VPC });
      account.ec2.putInstance({ instanceId, vpcId: VPC, subnetId, groups: [hostGroup] });
    }
    containerInstanceArn = account.ecs.putContainerInstance({
      cluster: spec.cluster,
      ec2InstanceId: instanceId,
    });
  }
  account.ecs.putTask({
    cluster: spec.cluster,
    taskArn: spec.taskArn,
    taskDefinitionArn,
    ...(spec.serviceName
      ? { group: `service:${spec.serviceName}` }
      : spec.group
        ? { group: spec.group, standaloneGroup: true }
        : {}),
    launchType: spec.launchType,
    ...(spec.lastStatus ? { lastStatus: spec.lastStatus } : {}),
    containers: spec.containers.map((c) => {
      const pinned = c.digest && !c.image.includes('@') ? `${c.image}@${c.digest}` : c.image;
      const digest = ensureImage(account, pinned);
      return { name: c.name, image: c.image, ...(digest ? { imageDigest: digest } : {}) };
    }),
    ...(network ? { eniId: network.eniId, subnetId: network.subnetId, privateIp: network.privateIp } : {}),
    ...(containerInstanceArn ? { containerInstanceArn } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    ...(spec.startedAt ? { startedAt: spec.startedAt } : {}),
  });
}

const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/([A-Za-z0-9_-]+)\/([A-Za-z0-9]+)$/;

function provisionGuardDuty(account: SandboxAccount, detail: Record<string, unknown>): void {
  const resource = isRecord(detail.resource) ? detail.resource : {};
  const cluster = isRecord(resource.ecsClusterDetails) ? resource.ecsClusterDetails : undefined;
  if (!cluster || typeof cluster.name !== 'string') return;
  if (once(account, `cluster:${cluster.name}`))
    account.ecs.putCluster({ name: cluster.name, tags: tagsOf(cluster.tags) });
  const task = isRecord(cluster.taskDetails) ? cluster.taskDetails : undefined;
  if (!task || typeof task.arn !== 'string' || !TASK_ARN.test(task.arn)) return;
  const containers = (Array.isArray(task.containers) ? task.containers : [])
    .filter(isRecord)
    .filter((c) => typeof c.image === 'string')
    .map((c, i) => ({
      name: typeof c.name === 'string' ? c.name : `container-${i}`,
      image: String(c.image),
    }));
  const definition =
    typeof task.definitionArn === 'string'
      ? /task-definition\/([A-Za-z0-9_-]+)/.exec(task.definitionArn)?.[1]
      : undefined;
  const group = typeof task.group === 'string' ? task.group : undefined;
  const launchType = String(task.launchType ?? 'FARGATE').toUpperCase() === 'EC2' ? 'EC2' : 'FARGATE';
  provisionTask(account, {
    cluster: cluster.name,
    taskArn: task.arn,
    family: definition ?? `${cluster.name}-task`,
    ...(group?.startsWith('service:') ? { serviceName: group.slice('service:'.length) } : {}),
    launchType,
    networkMode: 'awsvpc',
    containers,
    tags: tagsOf(task.tags),
    ...(typeof task.startedAt === 'string' ? { startedAt: task.startedAt } : {}),
  });
}

function provisionInspector(account: SandboxAccount, detail: Record<string, unknown>): void {
  for (const resource of Array.isArray(detail.resources) ? detail.resources : []) {
    if (!isRecord(resource) || resource.type !== 'AWS_ECR_CONTAINER_IMAGE') continue;
    const details =
      isRecord(resource.details) && isRecord(resource.details.awsEcrContainerImage)
        ? resource.details.awsEcrContainerImage
        : undefined;
    if (!details || typeof details.repositoryName !== 'string' || typeof details.imageHash !== 'string')
      continue;
    const registry = typeof details.registry === 'string' ? details.registry : account.accountId;
    if (registry !== account.accountId) continue;
    if (!once(account, `image:${details.repositoryName}:${details.imageHash}`)) continue;
    account.ecr.putRepository({ name: details.repositoryName });
    const tags = Array.isArray(details.imageTags)
      ? details.imageTags.filter((t): t is string => typeof t === 'string')
      : [];
    account.ecr.putImage({ repository: details.repositoryName, digest: details.imageHash, tags });
  }
}

/** ECS Task State Change (the ImageTrustRule's events): the task it describes, with the digests ECS reported. */
function provisionEcsTask(account: SandboxAccount, detail: Record<string, unknown>): void {
  const taskArn = typeof detail.taskArn === 'string' ? detail.taskArn : '';
  const match = TASK_ARN.exec(taskArn);
  if (!match?.[1]) return;
  const containers = (Array.isArray(detail.containers) ? detail.containers : [])
    .filter(isRecord)
    .filter((c) => typeof c.image === 'string')
    .map((c, i) => ({
      name: typeof c.name === 'string' ? c.name : `container-${i}`,
      image: String(c.image),
      ...(typeof c.imageDigest === 'string' ? { digest: c.imageDigest } : {}),
    }));
  const definition =
    typeof detail.taskDefinitionArn === 'string'
      ? /task-definition\/([A-Za-z0-9_-]+)/.exec(detail.taskDefinitionArn)?.[1]
      : undefined;
  const group = typeof detail.group === 'string' ? detail.group : undefined;
  provisionTask(account, {
    cluster: match[1],
    taskArn,
    family: definition ?? `${match[1]}-task`,
    ...(group?.startsWith('service:') ? { serviceName: group.slice('service:'.length) } : {}),
    launchType: String(detail.launchType ?? 'FARGATE').toUpperCase() === 'EC2' ? 'EC2' : 'FARGATE',
    networkMode: 'awsvpc',
    containers,
    ...(typeof detail.lastStatus === 'string' ? { lastStatus: detail.lastStatus } : {}),
    tags: tagsOf(detail.tags),
    ...(typeof detail.startedAt === 'string' ? { startedAt: detail.startedAt } : {}),
  });
}

/** Creates what the event refers to and does not exist yet. Unknown event shapes provision nothing. */
export function provisionFromEvent(account: SandboxAccount, event: unknown): void {
  if (!isRecord(event) || !isRecord(event.detail)) return;
  if (event.source === 'aws.guardduty') provisionGuardDuty(account, event.detail);
  else if (event.source === 'aws.inspector2') provisionInspector(account, event.detail);
  else if (event.source === 'aws.ecs' && event['detail-type'] === 'ECS Task State Change')
    provisionEcsTask(account, event.detail);
}

/** Creates the resources a scenario describes (before any event, so they take precedence). */
export function applyScenario(account: SandboxAccount, scenario: Scenario, trustedProfile?: string): void {
  for (const c of scenario.clusters ?? []) {
    once(account, `cluster:${c.name}`);
    account.ecs.putCluster({ name: c.name, ...(c.tags ? { tags: c.tags } : {}) });
  }
  for (const r of scenario.repositories ?? []) {
    account.ecr.putRepository({
      name: r.name,
      ...(r.mutability ? { mutability: r.mutability } : {}),
      ...(r.tags ? { tags: r.tags } : {}),
    });
    for (const image of r.images ?? []) {
      const digest = account.ecr.putImage({
        repository: r.name,
        tags: [...image.tags],
        digest: image.digest ?? defaultDigest(r.name, image.tags[0] ?? 'latest'),
      });
      for (const tag of image.tags) once(account, `image:${r.name}:${tag}`);
      if (image.signature && once(account, `signature:${r.name}:${digest}`)) {
        provisionSignature(account, {
          repository: r.name,
          digest,
          kind: image.signature,
          ...(trustedProfile ? { trustedProfile } : {}),
          ...(image.signatureFormat ? { format: image.signatureFormat } : {}),
        });
      }
      once(account, `image:${r.name}:${digest}`);
    }
  }
  for (const s of scenario.services ?? []) {
    account.ecs.putCluster({ name: s.cluster });
    const image = s.image ?? `${account.accountId}.dkr.ecr.${account.region}.amazonaws.com/${s.name}:latest`;
    const taskDefinitionArn = account.ecs.putTaskDefinition({
      family: s.name,
      networkMode: 'awsvpc',
      containers: [{ name: s.name, image }],
    });
    once(account, `service:${s.cluster}/${s.name}`);
    let network: { subnets: string[]; securityGroups: string[] } | undefined;
    if (s.securityGroups && s.securityGroups.length > 0) {
      ensureGroups(account, s.securityGroups);
      const subnetId = `subnet-${hex(`service${s.cluster}/${s.name}`, 17)}`;
      account.ec2.putSubnet({ subnetId, vpcId: VPC });
      network = { subnets: [subnetId], securityGroups: [...s.securityGroups] };
    }
    account.ecs.putService({
      cluster: s.cluster,
      name: s.name,
      taskDefinitionArn,
      ...(s.desiredCount !== undefined ? { desiredCount: s.desiredCount } : {}),
      ...(s.tags ? { tags: s.tags } : {}),
      ...(network ? { network } : {}),
    });
  }
  (scenario.tasks ?? []).forEach((t, i) => {
    const count = t.count ?? 1;
    for (let n = 0; n < count; n++) {
      const id = hex(`${t.cluster}/${i}/${n}`, 32);
      const taskArn =
        count === 1 && t.taskArn
          ? t.taskArn
          : `arn:${account.partition}:ecs:${account.region}:${account.accountId}:task/${t.cluster}/${n === 0 && t.taskArn ? (t.taskArn.split('/').pop() ?? id) : id}`;
      provisionTask(account, {
        cluster: t.cluster,
        taskArn,
        family: t.service ?? `${t.cluster}-task`,
        ...(t.service ? { serviceName: t.service } : t.group ? { group: t.group } : {}),
        launchType: t.launchType ?? 'FARGATE',
        networkMode: t.networkMode ?? 'awsvpc',
        ...(t.lastStatus ? { lastStatus: t.lastStatus } : {}),
        containers: t.containers,
        ...(t.securityGroups ? { securityGroups: t.securityGroups } : {}),
        ...(t.ec2InstanceId ? { ec2InstanceId: t.ec2InstanceId } : {}),
        ...(t.tags ? { tags: t.tags } : {}),
      });
    }
  });
  for (const [vpcId, groupId] of Object.entries(scenario.quarantineSecurityGroups ?? {})) {
    account.ec2.putVpc(vpcId);
    account.ec2.putSecurityGroup({ groupId, groupName: 'shield-right-quarantine', vpcId, egress: [] });
  }
}
