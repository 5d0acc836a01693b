/**
 * The EventBridge events the sandbox's ECR emits, as ECR does ("Amazon ECR events and EventBridge", ECR user
 * guide: "Event for a completed image push"): source `aws.ecr`, detail-type `ECR Image Action`, detail
 * `result`, `repository-name`, `image-digest`, `action-type` PUSH and `image-tag`; `resources` empty. The
 * event does not say who pushed. AWS emits them on a best-effort basis; the sandbox always does, into an
 * outbox the Simulator reads after the event being processed (Simulator.processEmittedEvents).
 * Not modelled: the image deletion event (action-type DELETE), and events of a failed push.
 */
import { sha256Hex } from '../shared';
import type { AccountContext } from '../types';

export interface EcrImageActionEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECR Image Action';
  readonly source: 'aws.ecr';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly result: 'SUCCESS';
    readonly 'repository-name': string;
    readonly 'image-digest': string;
    readonly 'action-type': 'PUSH';
    readonly 'image-tag'?: string;
  };
}

/**
 * The event of a completed push of `digest` (under `tag`, if the push named one). Its id is derived from the
 * push and `sequence`, not from the account's id counter, so emitting events changes no other resource's id.
 */
export function imagePushEvent(
  ctx: AccountContext,
  push: { readonly repository: string; readonly digest: string; readonly tag?: string },
  sequence: number,
): EcrImageActionEvent {
  const id = sha256Hex(`${push.repository}|${push.digest}|${push.tag ?? ''}|${sequence}`);
  return {
    version: '0',
    // EventBridge event ids are UUIDs.
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: ctx.accountId,
    time: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: ctx.region,
    resources: [],
    detail: {
      result: 'SUCCESS',
      'repository-name': push.repository,
      'image-digest': push.digest,
      'action-type': 'PUSH',
      ...(push.tag !== undefined ? { 'image-tag': push.tag } : {}),
    },
  };
}
