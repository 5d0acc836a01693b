/**
 * Sandbox AWS Signer: Notation signing profiles (with versions), signing jobs, revocation of jobs, profiles
 * and certificates, and GetRevocationStatus answered from them; the sandbox certificate authority (created on
 * first use, kept in the snapshot) stands in for the partition's Signer root. Signatures and revocation do
 * not cross partitions: a request naming another partition's ARN is a ValidationException.
 */
import { createHash, webcrypto } from 'node:crypto';
import type { SignatureSpec } from './ecr/signatures';
import { createSandboxCa, type SandboxCa, signNotation, tamperEnvelope } from './signing-ca';
import { type AccountContext, AwsError, type Operation, requireString, type SandboxService } from './types';

type Input = Record<string, unknown>;

interface ProfileRecord {
  /** The profile ARN. */
  name: string;
  version: string;
  /** ISO time from which signatures of this profile are revoked (RevokeSigningProfile `effectiveTime`). */
  revokedFrom?: string;
}

interface JobRecord {
  jobArn: string;
  profileVersionArn: string;
  revoked?: { reason: string; at: string };
}

interface StoredCa {
  rootDer: string;
  chainDer: string[];
  leafKeyPkcs8: string;
}

interface SignerSnapshot {
  profiles: ProfileRecord[];
  jobs: JobRecord[];
  revokedCertificates: string[];
  ca?: StoredCa;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export class SignerService implements SandboxService {
  readonly name = 'signer' as const;
  readonly operations: Readonly<Record<string, Operation>> = {
    GetRevocationStatus: (input) => this.getRevocationStatus(input),
    RevokeSignature: (input) => this.revokeSignature(input),
  };
  private profiles = new Map<string, ProfileRecord>();
  private jobs = new Map<string, JobRecord>();
  private revokedCertificates = new Set<string>();
  private stored: StoredCa | undefined;
  private ca: Promise<SandboxCa> | undefined;

  constructor(private readonly ctx: AccountContext) {}

  private arnPrefix(): string {
    return `arn:${this.ctx.partition}:signer:${this.ctx.region}:${this.ctx.accountId}:`;
  }

  profileArn(name: string): string {
    return `${this.arnPrefix()}/signing-profiles/${name}`;
  }

  /** Creates a Notation signing profile (a name, or a profile ARN) if missing; returns its version ARN. */
  putSigningProfile(nameOrArn: string): string {
    const arn = nameOrArn.startsWith('arn:') ? nameOrArn : this.profileArn(nameOrArn);
    let profile = this.profiles.get(arn);
    if (!profile) {
      const version = createHash('sha256').update(arn).digest('hex').slice(0, 10).toUpperCase();
      profile = { name: arn, version };
      this.profiles.set(arn, profile);
    }
    return `${arn}/${profile.version}`;
  }

  /** A signing job of the profile version; returns its ARN. */
  startSigningJob(profileVersionArn: string): string {
    const jobArn = `${this.arnPrefix()}/signing-jobs/${this.ctx.nextId('', 8)}-0000-4000-8000-${this.ctx.nextId('', 12)}`;
    this.jobs.set(jobArn, { jobArn, profileVersionArn });
    return jobArn;
  }

  /** RevokeSigningProfile: every signature of the profile made at or after `from` is revoked. */
  revokeSigningProfile(profileArn: string, from: Date): void {
    const profile = this.profiles.get(profileArn);
    if (!profile)
      throw new AwsError('ResourceNotFoundException', `signing profile ${profileArn} does not exist`);
    profile.revokedFrom = from.toISOString();
  }

  /** The sandbox's stand-in for the Signer root and its signing certificate, created once. */
  authority(): Promise<SandboxCa> {
    if (!this.ca) {
      const stored = this.stored;
      this.ca = stored
        ? webcrypto.subtle
            .importKey(
              'pkcs8',
              Buffer.from(stored.leafKeyPkcs8, 'base64'),
              { name: 'ECDSA', namedCurve: 'P-384' },
              true,
              ['sign'],
            )
            .then((leafKey) => ({
              rootDer: fromB64(stored.rootDer),
              chainDer: stored.chainDer.map(fromB64),
              leafKey,
            }))
        : createSandboxCa({ notBefore: new Date(Date.UTC(2020, 0, 1)) }).then(async (ca) => {
            const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', ca.leafKey);
            this.stored = {
              rootDer: b64(ca.rootDer),
              chainDer: ca.chainDer.map(b64),
              leafKeyPkcs8: b64(new Uint8Array(pkcs8)),
            };
            return ca;
          });
    }
    return this.ca;
  }

  /** A Notation envelope as Signer would produce it for `spec` (tampered after signing if it says so). */
  async signEnvelope(spec: SignatureSpec): Promise<Uint8Array> {
    const envelope = await signNotation(await this.authority(), {
      format: spec.format,
      digest: spec.payloadDigest,
      mediaType: spec.subjectMediaType,
      size: spec.subjectSize,
      profileVersionArn: spec.profileVersionArn,
      jobArn: spec.jobArn,
      signedAt: new Date(spec.signedAt),
      expiry: new Date(spec.expiry),
    });
    return spec.tamper ? tamperEnvelope(spec.format, envelope) : envelope;
  }

  /** Revokes a job by ARN (provisioning: a scenario's revoked signature). */
  revokeJob(jobArn: string, reason: string): void {
    const job = this.jobs.get(jobArn);
    if (!job) throw new AwsError('ResourceNotFoundException', `signing job ${jobArn} does not exist`);
    job.revoked ??= { reason, at: new Date(this.ctx.now()).toISOString() };
  }

  private checkPartition(arn: string, field: string): void {
    if (!arn.startsWith(`arn:${this.ctx.partition}:`)) {
      throw new AwsError('ValidationException', `${field} is not in partition ${this.ctx.partition}`);
    }
  }

  private getRevocationStatus(input: Input) {
    const jobArn = requireString(input, 'jobArn', 'GetRevocationStatus');
    const profileVersionArn = requireString(input, 'profileVersionArn', 'GetRevocationStatus');
    this.checkPartition(jobArn, 'jobArn');
    this.checkPartition(profileVersionArn, 'profileVersionArn');
    const at =
      input.signatureTimestamp instanceof Date
        ? input.signatureTimestamp
        : new Date(String(input.signatureTimestamp));
    const revokedEntities: string[] = [];
    if (this.jobs.get(jobArn)?.revoked) revokedEntities.push(jobArn);
    const revokedFrom = this.profiles.get(
      profileVersionArn.slice(0, profileVersionArn.lastIndexOf('/')),
    )?.revokedFrom;
    if (revokedFrom && Date.parse(revokedFrom) <= at.getTime()) revokedEntities.push(profileVersionArn);
    const hashes = Array.isArray(input.certificateHashes) ? input.certificateHashes.map(String) : [];
    revokedEntities.push(...hashes.filter((h) => this.revokedCertificates.has(h)));
    return { revokedEntities };
  }

  private revokeSignature(input: Input) {
    const jobId = requireString(input, 'jobId', 'RevokeSignature');
    const reason = requireString(input, 'reason', 'RevokeSignature');
    const job = [...this.jobs.values()].find((j) => j.jobArn.endsWith(`/signing-jobs/${jobId}`));
    if (!job) throw new AwsError('ResourceNotFoundException', `signing job ${jobId} does not exist`);
    job.revoked ??= { reason, at: new Date(this.ctx.now()).toISOString() };
    return {};
  }

  snapshot(): SignerSnapshot {
    return structuredClone({
      profiles: [...this.profiles.values()],
      jobs: [...this.jobs.values()],
      revokedCertificates: [...this.revokedCertificates],
      ...(this.stored ? { ca: this.stored } : {}),
    });
  }

  restore(state: unknown): void {
    const s = (state ?? {}) as Partial<SignerSnapshot>;
    this.profiles = new Map((s.profiles ?? []).map((p) => [p.name, { ...p }]));
    this.jobs = new Map((s.jobs ?? []).map((j) => [j.jobArn, structuredClone(j)]));
    this.revokedCertificates = new Set(s.revokedCertificates ?? []);
    this.stored = s.ca;
    this.ca = undefined;
  }
}
