/** What counts as acting on a workload, shared by the safety and fuzz tests. */
import type { EventResult } from '../../local/engine';
import type { ApiCall } from '../../local/sandbox/account';

/** Calls that change a workload, an image or the network (what a cap or a claim must prevent). */
export const DESTRUCTIVE: ReadonlySet<string> = new Set([
  'StopTask',
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'ModifyInstanceAttribute',
  'ModifyNetworkInterfaceAttribute',
  'UpdateContainerInstancesState',
  'PutImage',
  'BatchDeleteImage',
  'UpdateImageStorageClass',
]);

/** The destructive calls of one event that succeeded. */
export const destructiveCalls = (result: EventResult): ApiCall[] =>
  result.apiCalls.filter((c) => DESTRUCTIVE.has(c.operation) && c.error === null);
