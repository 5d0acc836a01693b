/**
 * What a verification Lambda loads (bench/signing.ts times its module initialization): the verifier, the
 * verdict cache and their clients. Not deployed: the ImageTrustResponse workflow is not built yet.
 */
import { cachedVerdict } from '../lambdas/actions/trust-cache';
import { verifyImageReference } from '../lambdas/core/signing/image-trust';
import { dynamodb } from '../lambdas/shared/clients/dynamodb';
import { ecr } from '../lambdas/shared/clients/ecr';
import { layerDownload } from '../lambdas/shared/clients/layer-download';
import { signer } from '../lambdas/shared/clients/signer';

export const handler = async (): Promise<unknown> => [
  cachedVerdict,
  verifyImageReference,
  dynamodb,
  ecr,
  signer,
  layerDownload,
];
