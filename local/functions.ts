/**
 * The offline stand-in for Lambda: the same handler modules, loaded in-process, their SDK clients routed
 * to the sandbox account. Names follow the deployed functions (`shield-right-<id>`).
 */
import { FUNCTIONS, type FunctionId } from '../definitions/functions';
import { centralRoleArn } from '../definitions/organization';
import { dynamodb } from '../lambdas/shared/clients/dynamodb';
import { ec2 } from '../lambdas/shared/clients/ec2';
import { ecr } from '../lambdas/shared/clients/ecr';
import { ecs } from '../lambdas/shared/clients/ecs';
import { guardduty } from '../lambdas/shared/clients/guardduty';
import { inspector2 } from '../lambdas/shared/clients/inspector2';
import { layerDownload } from '../lambdas/shared/clients/layer-download';
import { organizations } from '../lambdas/shared/clients/organizations';
import { s3 } from '../lambdas/shared/clients/s3';
import { securityhub } from '../lambdas/shared/clients/securityhub';
import { sfn } from '../lambdas/shared/clients/sfn';
import { signer } from '../lambdas/shared/clients/signer';
import { sns } from '../lambdas/shared/clients/sns';
import { sts } from '../lambdas/shared/clients/sts';
import { onMemberClient, scopeMemberSessions } from '../lambdas/shared/member-clients';
import { asPrincipal, currentPrincipal } from './sandbox/organization';
import { attachSandbox, currentSandbox } from './sandbox/transport';

type Handler = (event: never) => Promise<unknown>;

// Loaded on first use, after the engine has set the environment the handlers read at cold start.
// (require, not import(): the CLI runs as CommonJS through tsx's require hook.)
const LOADERS: Record<FunctionId, () => { handler: Handler }> = {
  validate: () => require('../lambdas/validate/handler') as typeof import('../lambdas/validate/handler'),
  enrich: () => require('../lambdas/enrich/handler') as typeof import('../lambdas/enrich/handler'),
  enrichImage: () =>
    require('../lambdas/enrich-image/handler') as typeof import('../lambdas/enrich-image/handler'),
  isolate: () => require('../lambdas/isolate/handler') as typeof import('../lambdas/isolate/handler'),
  quarantine: () =>
    require('../lambdas/quarantine/handler') as typeof import('../lambdas/quarantine/handler'),
  exposure: () => require('../lambdas/exposure/handler') as typeof import('../lambdas/exposure/handler'),
  notify: () => require('../lambdas/notify/handler') as typeof import('../lambdas/notify/handler'),
  reportFailure: () =>
    require('../lambdas/report-failure/handler') as typeof import('../lambdas/report-failure/handler'),
  reconcile: () => require('../lambdas/reconcile/handler') as typeof import('../lambdas/reconcile/handler'),
  checkImagePush: () =>
    require('../lambdas/check-image-push/handler') as typeof import('../lambdas/check-image-push/handler'),
  notifyBypass: () =>
    require('../lambdas/notify-bypass/handler') as typeof import('../lambdas/notify-bypass/handler'),
  verifyImages: () =>
    require('../lambdas/verify-image/handler') as typeof import('../lambdas/verify-image/handler'),
  notifyTrust: () =>
    require('../lambdas/notify-trust/handler') as typeof import('../lambdas/notify-trust/handler'),
  updateSecurityHub: () =>
    require('../lambdas/update-security-hub/handler') as typeof import('../lambdas/update-security-hub/handler'),
  memberEcsCall: () =>
    require('../lambdas/member-ecs-call/handler') as typeof import('../lambdas/member-ecs-call/handler'),
};

let attached = false;
/** The handlers' clients carry the SDK's own stack: the fast path may answer them below it (transport.ts). */
const BELOW_SDK = { belowSdk: true } as const;

/** Routes every shared SDK client of the handlers to the sandbox of the caller's async context. */
export function attachHandlerClients(): void {
  if (attached) return;
  attached = true;
  attachSandbox(ecs, 'ecs', BELOW_SDK);
  attachSandbox(ec2, 'ec2', BELOW_SDK);
  attachSandbox(ecr, 'ecr', BELOW_SDK);
  attachSandbox(s3, 's3');
  attachSandbox(sns, 'sns', BELOW_SDK);
  attachSandbox(dynamodb, 'dynamodb', BELOW_SDK);
  attachSandbox(sfn, 'states');
  attachSandbox(inspector2, 'inspector2');
  attachSandbox(guardduty, 'guardduty');
  attachSandbox(sts, 'sts');
  attachSandbox(securityhub, 'securityhub');
  attachSandbox(organizations, 'organizations');
  // Clients made for a member account keep the credentials the sandbox STS issued: that account answers.
  onMemberClient((client, service) =>
    attachSandbox(client, service, { keepCredentials: true, belowSdk: true }),
  );
  // One session cache per function, as in separate Lambda processes (invokeFunction runs each as its role).
  scopeMemberSessions(() => currentPrincipal() ?? '');
  attachSandbox(signer, 'signer');
  // The pre-signed layer URLs of the sandbox ECR are answered by the sandbox, never fetched.
  layerDownload.get = async (url: string) => {
    const account = currentSandbox();
    if (!account) throw new Error('layer download outside a sandbox');
    return account.ecr.signatures.download(url);
  };
}

export function functionName(id: FunctionId): string {
  return `shield-right-${id}`;
}

const byName = new Map<string, FunctionId>(
  Object.values(FUNCTIONS).map((spec) => [functionName(spec.id), spec.id]),
);
const handlers = new Map<FunctionId, Handler>();

export async function invokeFunction(name: string, payload: unknown): Promise<unknown> {
  const id = byName.get(name);
  if (!id) throw new Error(`no shield-right function named ${name}`);
  let handler = handlers.get(id);
  if (!handler) {
    attachHandlerClients();
    handler = LOADERS[id]().handler;
    handlers.set(id, handler);
  }
  const run = handler;
  // The function runs as its (fixed-name) central role: what a member role's trust policy names.
  const account = currentSandbox();
  return account
    ? asPrincipal(centralRoleArn(account.partition, account.accountId, id, account.region), () =>
        run(payload as never),
      )
    : run(payload as never);
}
