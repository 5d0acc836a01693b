/**
 * STS and the IAM roles of one sandbox account, as far as shield-right depends on them: roles with a trust
 * policy, and `AssumeRole`, which the calling account's STS answers for a role of any account of the
 * organization. The trust policy is evaluated (a subset of IAM's policy language: `Allow` statements whose
 * `Principal.AWS` names the caller's account root, account id or role, with `ArnEquals`/`ArnLike` on
 * `aws:PrincipalArn` and `StringEquals` on `aws:PrincipalOrgID`); a role that does not trust the caller, or
 * that does not exist, is refused with `AccessDenied` (403) and the sentence STS uses (docs/aws-behaviours.md
 * X1). The credentials it issues identify the account and role that calls made with them act in.
 */
import { isRecord, op } from './shared';
import { type AccountContext, AwsError, type SandboxService } from './types';

export interface TrustStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: { readonly AWS?: string | readonly string[] } | string;
  readonly Action?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface TrustPolicy {
  readonly Version?: string;
  readonly Statement: readonly TrustStatement[];
}

export interface SandboxRole {
  readonly name: string;
  readonly arn: string;
  readonly trust: TrustPolicy;
}

/** Who makes a call: the IAM principal (role ARN) and its account and organization. */
export interface Principal {
  readonly arn: string;
  readonly accountId: string;
  readonly orgId?: string;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly roleArn: string;
  readonly expiresAt: number;
}

/** What STS needs of the organization: other accounts' roles, the caller, and where credentials are kept. */
export interface StsDirectory {
  role(accountId: string, name: string): SandboxRole | undefined;
  caller(): Principal;
  issue(credentials: IssuedCredentials): void;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** IAM's ArnLike: `*` any run of characters, `?` one character, case-sensitive. */
function arnLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function principalMatches(statement: TrustStatement, caller: Principal): boolean {
  const aws = typeof statement.Principal === 'object' ? statement.Principal.AWS : undefined;
  if (statement.Principal === '*') return true;
  return list(aws).some(
    (p) =>
      p === '*' ||
      p === caller.accountId ||
      // The account root in the caller's own partition (IAM trust does not cross partitions).
      p === `arn:${caller.arn.split(':')[1] ?? 'aws'}:iam::${caller.accountId}:root` ||
      p === caller.arn,
  );
}

function conditionsHold(statement: TrustStatement, caller: Principal): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual =
        key.toLowerCase() === 'aws:principalarn'
          ? caller.arn
          : key.toLowerCase() === 'aws:principalorgid'
            ? caller.orgId
            : undefined;
      // A condition key absent from the request does not match (IAM's rule for operators without IfExists).
      if (actual === undefined) return false;
      const values = list(expected);
      const ok =
        operator === 'ArnEquals' || operator === 'StringEquals'
          ? values.includes(actual)
          : operator === 'ArnLike' || operator === 'StringLike'
            ? values.some((v) => arnLike(v, actual))
            : false;
      if (!ok) return false;
    }
  }
  return true;
}

/** Whether `trust` lets `caller` call sts:AssumeRole (an explicit Deny wins, as in IAM). */
export function trustAllows(trust: TrustPolicy, caller: Principal): boolean {
  const applies = (s: TrustStatement): boolean =>
    list(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*') &&
    principalMatches(s, caller) &&
    conditionsHold(s, caller);
  if (trust.Statement.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return trust.Statement.some((s) => s.Effect === 'Allow' && applies(s));
}

interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
}

export class StsService implements SandboxService {
  readonly name = 'sts' as const;
  readonly operations;
  private readonly roles = new Map<string, SandboxRole>();
  private directory: StsDirectory | undefined;

  constructor(private readonly ctx: AccountContext) {
    this.operations = { AssumeRole: op<AssumeRoleInput>((input) => this.assumeRole(input)) };
  }

  /** Connects this STS to the organization (other accounts' roles, the caller, the credential registry). */
  connect(directory: StsDirectory): void {
    this.directory = directory;
  }

  putRole(name: string, trust: TrustPolicy): SandboxRole {
    const role = { name, arn: `arn:${this.ctx.partition}:iam::${this.ctx.accountId}:role/${name}`, trust };
    this.roles.set(name, role);
    return role;
  }

  getRole(name: string): SandboxRole | undefined {
    return this.roles.get(name);
  }

  private assumeRole(input: AssumeRoleInput): unknown {
    const directory = this.directory;
    const caller = directory?.caller() ?? {
      arn: `arn:${this.ctx.partition}:iam::${this.ctx.accountId}:root`,
      accountId: this.ctx.accountId,
    };
    const match = ROLE_ARN.exec(input.RoleArn);
    const role =
      match?.[1] && match[2]
        ? match[1] === this.ctx.accountId
          ? this.roles.get(match[2])
          : directory?.role(match[1], match[2])
        : undefined;
    // STS answers a missing role and an untrusting one alike, so a caller cannot probe for role names.
    if (!role || role.arn !== input.RoleArn || !trustAllows(role.trust, caller)) {
      throw new AwsError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
        { statusCode: 403 },
      );
    }
    const accountId = match?.[1] ?? this.ctx.accountId;
    const expiresAt = this.ctx.now() + (input.DurationSeconds ?? 3600) * 1000;
    const accessKeyId = `ASIA${this.ctx.nextId('', 16).toUpperCase()}`;
    directory?.issue({ accessKeyId, accountId, roleArn: role.arn, expiresAt });
    const roleId = `AROA${this.ctx.nextId('', 17).toUpperCase()}`;
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `sandbox-secret-${accessKeyId}`,
        SessionToken: `sandbox-session-${accessKeyId}`,
        Expiration: new Date(expiresAt),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${roleId}:${input.RoleSessionName}`,
        Arn: `arn:${this.ctx.partition}:sts::${accountId}:assumed-role/${role.name}/${input.RoleSessionName}`,
      },
    };
  }

  snapshot(): unknown {
    return { roles: [...this.roles.values()] };
  }

  restore(state: unknown): void {
    this.roles.clear();
    const roles = isRecord(state) && Array.isArray(state.roles) ? state.roles : [];
    for (const role of roles as SandboxRole[]) this.roles.set(role.name, role);
  }
}
