/**
 * What "IAM enforces the policy" means for a synthesized template, as a checker the tests run: every
 * mutating action granted on `*` or on a whole resource type (`…:task/*`, `…:repository/*`, a table
 * without `dynamodb:LeadingKeys`) must be narrowed by a condition or by a Deny of the same role.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { flattenForNag } from '../../cdk/constructs/permissions';
import { asList, type Statement } from './helpers';

/**
 * Read-only by IAM's naming: these verbs never change a resource. Every other action is mutating
 * (Put, Update, Delete, Revoke, Modify, Stop, Tag, Create, Publish, Start, Invoke…).
 */
export const READ_ONLY_VERBS = ['Describe', 'List', 'Get', 'BatchGet'] as const;

export function isMutating(action: string): boolean {
  const name = action.split(':')[1] ?? '';
  return !READ_ONLY_VERBS.some((verb) => name.startsWith(verb));
}

/**
 * Mutating actions AWS accepts only on `*` and that change no workload: trace and log-delivery
 * plumbing that active tracing and Step Functions logging need.
 */
export const STAR_ONLY_PLUMBING: ReadonlySet<string> = new Set([
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:PutResourcePolicy',
]);

/** DynamoDB item writes: on whatever resource, they must carry `dynamodb:LeadingKeys`. */
const ITEM_WRITES = new Set([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]);

/**
 * A whole resource type of an account: `arn:…:<type>/*` (or `…:<type>:*`, or Signer's `…:/<type>/*`), or `*`
 * itself.
 */
export function isWholeType(flat: string): boolean {
  return flat === '*' || /:\/?[A-Za-z-]+[/:]\*$/.test(flat);
}

type Json = Record<string, unknown>;

/** Whether a Condition block restricts anything: some value is neither `*` nor a whole resource type. */
export function conditionNarrows(condition: Json | undefined): boolean {
  if (!condition) return false;
  return Object.values(condition).some((keys) =>
    Object.values(keys as Json).some((values) =>
      asList(values).some((value) => !isWholeType(flattenForNag(value))),
    ),
  );
}

function hasKey(condition: Json | undefined, key: string): boolean {
  return Object.values(condition ?? {}).some((keys) => key in (keys as Json));
}

function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return regex.test(action);
}

export interface Offence {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly why: string;
}

/** Every statement of every AWS::IAM::Policy, grouped by the role it is attached to. */
export function statementsByRole(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const props = (
      policy as { Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } } }
    ).Properties;
    for (const role of props.Roles ?? []) {
      const id = typeof role === 'object' && role !== null ? String((role as Json).Ref) : String(role);
      byRole.set(id, [...(byRole.get(id) ?? []), ...props.PolicyDocument.Statement]);
    }
  }
  return byRole;
}

/**
 * Mutating grants that nothing narrows: on `*` or a whole resource type without a narrowing condition
 * and without a Deny of the same action in the role; item writes on a table without LeadingKeys.
 * `allowed` names `action resource-type` pairs accepted with a reason (e.g. nothing to narrow to).
 */
export function unnarrowedGrants(
  template: Template,
  allowed: Readonly<Record<string, string>> = {},
): Offence[] {
  const offences: Offence[] = [];
  for (const [role, statements] of statementsByRole(template)) {
    const denied = statements.filter((s) => s.Effect === 'Deny').flatMap((s) => asList(s.Action));
    for (const st of statements.filter((s) => s.Effect === 'Allow')) {
      for (const action of asList(st.Action).filter(isMutating)) {
        for (const resource of asList(st.Resource).map(flattenForNag)) {
          const denyNarrows = denied.some((pattern) => actionMatches(pattern, action));
          if (ITEM_WRITES.has(action)) {
            if (!hasKey(st.Condition, 'dynamodb:LeadingKeys') && !denyNarrows) {
              offences.push({
                role,
                action,
                resource,
                why: 'item writes on the whole table (no LeadingKeys)',
              });
            }
            continue;
          }
          if (!isWholeType(resource)) continue;
          if (resource === '*' && STAR_ONLY_PLUMBING.has(action)) continue;
          if (conditionNarrows(st.Condition) || denyNarrows) continue;
          const type = resource === '*' ? '*' : (/:\/?([A-Za-z-]+)[/:]\*$/.exec(resource)?.[1] ?? resource);
          if (allowed[`${action} ${type}`]) continue;
          offences.push({
            role,
            action,
            resource,
            why: 'whole resource type, no narrowing condition or Deny',
          });
        }
      }
    }
  }
  return offences;
}
