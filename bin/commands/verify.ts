/**
 * `shield-right verify IMAGE_URI`: the verifier of the ImageTrust workflow as a pipeline gate. Exit code 0
 * only for a trusted image, 1 otherwise (2 for a usage error), with the outcome and the reason.
 */
import { parseArgs } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SignerClient } from '@aws-sdk/client-signer';
import type { SigningConfig } from '../../definitions/signing-config';
import { plainText } from '../../lambdas/core/escape';
import { parseImage } from '../../lambdas/core/image';
import { type ImageVerdict, verifyImageReference } from '../../lambdas/core/signing/image-trust';
import {
  noTrustAnchorReason,
  partitionOfRegion,
  trustAnchorsFor,
} from '../../lambdas/core/signing/trust-store';
import type { SigningClients } from '../../lambdas/core/signing/verify-image';
import { layerDownload } from '../../lambdas/shared/clients/layer-download';
import { loadConfig, UsageError } from '../cli-support';
import { openSavedSandbox } from '../saved-sandbox';
import { explainAwsError, type Io, nameActions, processIo } from './operator-context';

export const help = `Usage: shield-right verify IMAGE_URI [options]

Verifies the AWS Signer signature of an ECR image as the ImageTrustResponse workflow does: ECR managed
signing status and/or the Notation signatures ECR lists as referrers of the digest (envelope signature,
certificate chain to the AWS Signer root, trusted signing profile, payload digest, expiry) and Signer's
revocation status. Exit code 0 only for a trusted image; 1 for unsigned, untrusted-signer, tampered, revoked,
expired or error; 2 for a usage error. Use it as the deploy gate of a pipeline.

Options:
  --config FILE          configuration with the "signing" section (trustedProfiles, verification,
                         trustedRootCertificates/trustedRootFingerprints, allowRegistries); default:
                         ./cdk.json's context. Without roots: AWS Signer's root (aws partition)
  --json                 print one JSON document
  --sandbox DIR          verify against the offline sandbox saved by \`shield-right simulate --state DIR\`
                         (its certificate authority stands in for the AWS Signer root)

Examples:
  shield-right verify 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.4.2 --config signing.json
  shield-right verify 111122223333.dkr.ecr.us-east-1.amazonaws.com/api@sha256:… --json`;

interface Verifier {
  readonly clients: SigningClients;
  readonly trustedRoots: readonly Uint8Array[];
  readonly trustedRootFingerprints: readonly string[];
  readonly now: Date;
  readonly run: <T>(fn: () => Promise<T>) => Promise<T>;
}

function liveVerifier(signing: SigningConfig, image: string): Verifier {
  const ref = parseImage(image);
  const partition = ref.registry.endsWith('.amazonaws.com.cn')
    ? 'aws-cn'
    : partitionOfRegion(ref.ecr?.region ?? process.env.AWS_REGION ?? 'us-east-1');
  const anchors = trustAnchorsFor(signing, partition);
  if (!anchors) throw new UsageError(noTrustAnchorReason(partition));
  const ecr = new ECRClient({});
  const signer = new SignerClient({});
  nameActions(ecr, 'ecr');
  nameActions(signer, 'signer');
  return {
    clients: { ecr, signer, download: (url) => layerDownload.get(url) },
    trustedRoots: anchors.trustedRoots,
    trustedRootFingerprints: anchors.trustedRootFingerprints,
    now: new Date(),
    run: (fn) => fn(),
  };
}

async function sandboxVerifier(dir: string, configFile: string | undefined): Promise<Verifier> {
  const [{ attachSandbox, runInSandbox }] = await Promise.all([import('../../local/sandbox/transport')]);
  const simulator = openSavedSandbox(dir, configFile ? { config: loadConfig(configFile) } : {});
  const { account } = simulator;
  const ecr = new ECRClient({ region: account.region });
  const signer = new SignerClient({ region: account.region });
  attachSandbox(ecr, 'ecr');
  attachSandbox(signer, 'signer');
  const ca = await account.signer.authority();
  return {
    clients: { ecr, signer, download: async (url) => account.ecr.signatures.download(url) },
    trustedRoots: [ca.rootDer],
    trustedRootFingerprints: [],
    now: new Date(account.now()),
    run: (fn) => runInSandbox(account, fn),
  };
}

function render(verdict: ImageVerdict): string {
  const text = (v: unknown) => plainText(v, 300) || '-';
  return [
    `${verdict.outcome}  ${text(verdict.image)}${verdict.digest ? `@${text(verdict.digest)}` : ''}`,
    `  ${text(verdict.reason)}`,
    ...(verdict.signingProfileVersionArn
      ? [`  signing profile version: ${text(verdict.signingProfileVersionArn)}`]
      : []),
    ...(verdict.signingJobArn ? [`  signing job: ${text(verdict.signingJobArn)}`] : []),
    ...(verdict.signedAt
      ? [
          `  signed at ${text(verdict.signedAt)}${verdict.expiresAt ? `, expires ${text(verdict.expiresAt)}` : ''}`,
        ]
      : []),
    ...(verdict.allowedBy
      ? [`  allowed to run by signing.${verdict.allowedBy} (the gate still fails: not trusted)`]
      : []),
  ].join('\n');
}

export async function verify(argv: string[], io: Io = processIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      sandbox: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [image, ...extra] = positionals;
  if (!image) throw new UsageError('verify needs an IMAGE_URI (registry/repository:tag or @sha256:digest)');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const signing = loadConfig(values.config).signing;
  if (signing.trustedProfiles.length === 0) {
    throw new UsageError(
      'signing.trustedProfiles is empty: pass --config with the trusted signing profile ARNs',
    );
  }
  const verifier = values.sandbox
    ? await sandboxVerifier(values.sandbox, values.config)
    : liveVerifier(signing, image);
  let verdict: ImageVerdict;
  try {
    verdict = await verifier.run(() =>
      verifyImageReference(
        image,
        undefined,
        {
          ...signing,
          trustedRoots: verifier.trustedRoots,
          trustedRootFingerprints: verifier.trustedRootFingerprints,
          now: verifier.now,
        },
        verifier.clients,
      ),
    );
  } catch (err) {
    const explained = explainAwsError(err);
    verdict = {
      image,
      outcome: 'error',
      digest: '',
      reason: `could not verify: ${explained ?? (err instanceof Error ? `${err.name}: ${err.message}` : String(err))}`,
    };
  }
  io.stdout.write(`${values.json ? JSON.stringify(verdict, null, 2) : render(verdict)}\n`);
  return verdict.outcome === 'trusted' ? 0 : 1;
}
