/**
 * Whether security groups are the task's alone, from what AWS describes: a group is shared when another
 * network interface has it (DescribeNetworkInterfaces filtered by group-id), or when the network
 * configuration of any ECS service, of one of its deployments or of one of its task sets names it (a
 * service gives every task it starts, replacements included, the groups of its network configuration,
 * even while none runs). Every listing is paginated and bounded; a listing cut short by its budget or a
 * call that fails means "not known to be exclusive", so no rule is revoked.
 */
import { DescribeNetworkInterfacesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  type ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  type NetworkConfiguration,
  type Service,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '../core/errors';

/** Pages of 100 network interfaces read at most (1,000 ENIs with the task's groups). */
export const ENI_PAGE_BUDGET = 10;
/** ECS list and describe calls made at most to find the services that name the groups. */
export const SERVICE_CALL_BUDGET = 100;

export interface GroupUses {
  /** Each shared group, with who else uses it. */
  readonly shared: string[];
  /** Why the answer is not known in full (a listing cut short, a call that failed); undefined when it is. */
  readonly unknown?: string;
}

class BudgetSpent extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'BudgetSpent';
  }
}

async function otherInterfaces(
  ec2: EC2Client,
  groupIds: readonly string[],
  eniId: string,
): Promise<Map<string, number>> {
  const others = new Map<string, number>();
  let NextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= ENI_PAGE_BUDGET)
      throw new BudgetSpent(`more than ${ENI_PAGE_BUDGET * 100} network interfaces use the groups`);
    pages += 1;
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'group-id', Values: [...groupIds] }],
        // An account can hide AWS-managed resources from Describe calls: the check must see them all.
        IncludeManagedResources: true,
        MaxResults: 100,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    for (const eni of out.NetworkInterfaces ?? []) {
      if (eni.NetworkInterfaceId === eniId) continue;
      for (const group of eni.Groups ?? []) {
        if (group.GroupId && groupIds.includes(group.GroupId))
          others.set(group.GroupId, (others.get(group.GroupId) ?? 0) + 1);
      }
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return others;
}

function groupsNamed(config: NetworkConfiguration | undefined): string[] {
  return config?.awsvpcConfiguration?.securityGroups ?? [];
}

/** Every group a service's network configuration, deployments and task sets name. */
export function serviceGroups(service: Service): Set<string> {
  return new Set([
    ...groupsNamed(service.networkConfiguration),
    ...(service.deployments ?? []).flatMap((d) => groupsNamed(d.networkConfiguration)),
    ...(service.taskSets ?? []).flatMap((t) => groupsNamed(t.networkConfiguration)),
  ]);
}

/** Services of every cluster AWS lists (the finding's first) whose network configuration names a group. */
async function servicesNaming(
  ecs: ECSClient,
  groupIds: readonly string[],
  firstCluster: string,
): Promise<string[]> {
  let calls = 0;
  const spend = (): void => {
    calls += 1;
    if (calls > SERVICE_CALL_BUDGET)
      throw new BudgetSpent(`the services of the account need more than ${SERVICE_CALL_BUDGET} calls`);
  };
  const clusters: string[] = [];
  let clusterToken: string | undefined;
  do {
    spend();
    const out = await ecs.send(
      new ListClustersCommand({ maxResults: 100, ...(clusterToken ? { nextToken: clusterToken } : {}) }),
    );
    clusters.push(...(out.clusterArns ?? []));
    clusterToken = out.nextToken;
  } while (clusterToken);
  // The clusters AWS lists (not the finding's name for one), the finding's first when it is among them.
  clusters.sort((a, b) => Number(b === firstCluster) - Number(a === firstCluster));
  const found: string[] = [];
  for (const cluster of clusters) {
    let serviceToken: string | undefined;
    do {
      spend();
      const listed = await ecs.send(
        new ListServicesCommand({
          cluster,
          maxResults: 100,
          ...(serviceToken ? { nextToken: serviceToken } : {}),
        }),
      );
      const arns = listed.serviceArns ?? [];
      for (let start = 0; start < arns.length; start += 10) {
        spend();
        const described = await ecs.send(
          new DescribeServicesCommand({ cluster, services: arns.slice(start, start + 10) }),
        );
        for (const service of described.services ?? []) {
          if (service.status === 'INACTIVE') continue;
          const named = serviceGroups(service);
          for (const groupId of groupIds) {
            if (named.has(groupId))
              found.push(`${groupId} (network configuration of service ${service.serviceName ?? '?'})`);
          }
        }
      }
      // One service naming a group is enough: the groups are shared.
      if (found.length > 0) return found;
      serviceToken = listed.nextToken;
    } while (serviceToken);
  }
  return found;
}

/** Who else uses the groups of `eniId`; `unknown` set when the check could not be completed. */
export async function groupUses(
  deps: { readonly ec2: EC2Client; readonly ecs: ECSClient },
  groupIds: readonly string[],
  eniId: string,
  clusterArn: string,
): Promise<GroupUses> {
  const shared: string[] = [];
  try {
    const others = await otherInterfaces(deps.ec2, groupIds, eniId);
    for (const [groupId, count] of others) shared.push(`${groupId} (${count} other network interface(s))`);
    if (shared.length === 0) shared.push(...(await servicesNaming(deps.ecs, groupIds, clusterArn)));
  } catch (err) {
    const why = err instanceof BudgetSpent ? err.message : `${awsErrorName(err)} while listing who uses them`;
    return { shared: shared.sort(), unknown: why };
  }
  return { shared: shared.sort() };
}
