/** Shared infrastructure-test setup: the app as `cdk synth` builds it, with cdk.json's context. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type ShieldRight, ShieldRightStack } from '../../cdk/shield-right';
import { CONTEXT_KEY, parseConfig, type ShieldRightConfig } from '../../definitions/config';
import { FUNCTIONS, WORKFLOWS } from '../../definitions/functions';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** cdk.json's context: the feature flags and the default configuration `cdk synth` uses. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
  const context =
    typeof cdkJson === 'object' && cdkJson !== null ? (cdkJson as { context?: unknown }).context : undefined;
  if (typeof context !== 'object' || context === null) throw new Error('cdk.json has no context');
  return context as Record<string, unknown>;
}

/** The configuration in cdk.json, parsed as the app parses it. */
export function cdkJsonConfig(): ShieldRightConfig {
  return parseConfig(cdkJsonContext()[CONTEXT_KEY]);
}

/** Handlers and definitions the manifests list that other work has not written yet. */
export function missingSources(): string[] {
  const files = [
    ...Object.values(FUNCTIONS).map((f) => f.entry),
    ...Object.values(WORKFLOWS).map((w) => w.file),
  ];
  return files.filter((file) => !existsSync(path.join(REPO_ROOT, file)));
}

export interface Synthesized {
  readonly app: App;
  readonly stack: ShieldRightStack;
  readonly shieldRight: ShieldRight;
  readonly template: Template;
  readonly outdir: string;
}

export interface SynthOptions {
  readonly config?: ShieldRightConfig;
  /** Run esbuild for every function (slow); otherwise CDK skips bundling. */
  readonly bundle?: boolean;
  /** Register cdk-nag as `cdk/app.ts` does. */
  readonly nag?: boolean;
}

/** A fresh App and stack, synthesized once: the returned template is shared by the tests that use it. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'shield-right-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      // Report nag violations in the report file (read by the nag test) instead of throwing in beforeAll.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new ShieldRightStack(app, 'ShieldRight', { config: options.config ?? cdkJsonConfig() });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack);
  return { app, stack, shieldRight: stack.shieldRight, template, outdir };
}

/** The logical id CloudFormation will see for a construct (or its default child). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(element));
}

export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

type Json = Record<string, unknown>;

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Json;
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of the AWS::IAM::Policy resources attached to a role. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((policy) => {
    const props = (
      policy as { Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } } }
    ).Properties;
    const attached = (props.Roles ?? []).some(
      (r) => typeof r === 'object' && r !== null && (r as Json).Ref === roleLogicalId,
    );
    return attached ? props.PolicyDocument.Statement : [];
  });
}

export function actionsOf(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => asList(s.Action)))].sort();
}
