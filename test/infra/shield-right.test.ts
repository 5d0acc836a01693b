/**
 * The stack as `cdk synth` builds it: real esbuild bundling and cdk-nag, synthesized once in beforeAll
 * (bundling eight functions takes seconds) and shared by the assertions below, which only read it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { OUTPUT_IDS } from '../../cdk/shield-right';
import { FUNCTIONS, type FunctionId, WORKFLOWS, type WorkflowName } from '../../definitions/functions';
import { NO_TASK_CREDENTIALS } from '../../definitions/organization';
import { executionFailurePattern, ruleDefinitions } from '../../definitions/patterns';
import {
  EXPECTED_WORKFLOW_ACTIONS,
  expectedFunctionActions,
  WORKFLOW_RUNTIME_ACTIONS,
} from './expected-permissions';
import {
  actionsOf,
  arnOf,
  asList,
  cdkJsonConfig,
  logicalId,
  missingSources,
  ref,
  type Statement,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './helpers';
import { isMutating, STAR_ONLY_PLUMBING } from './iam-narrowing';

const missing = missingSources();
const suite = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) {
  console.warn(`infra: full-stack tests skipped until these files exist: ${missing.join(', ')}`);
}

const functionIds = Object.keys(FUNCTIONS) as FunctionId[];
const workflowNames = Object.keys(WORKFLOWS) as WorkflowName[];

suite('ShieldRight stack (bundled, cdk-nag)', () => {
  let s: Synthesized;

  beforeAll(() => {
    s = synthesize({ bundle: true, nag: true });
  }, 120_000);

  const fn = (id: FunctionId) => s.shieldRight.functions.functions[id];
  const machine = (name: WorkflowName) => s.shieldRight.stateMachines[name];
  const dlqArn = () => arnOf(s.shieldRight.findingRules.deadLetterQueue);
  const retryPolicy = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

  describe('finding rules', () => {
    it.each(ruleDefinitions(cdkJsonConfig()).map((d) => [d.name, d] as const))(
      '%s matches its pattern from definitions/patterns.ts and starts its workflow',
      (name, definition) => {
        const rule = s.shieldRight.findingRules.rules[name];
        const target = machine(definition.target);
        s.template.hasResource('AWS::Events::Rule', {
          Properties: {
            // Compared exactly below: Match cannot describe the `null` a pattern may hold.
            EventPattern: Match.anyValue(),
            State: 'ENABLED',
            Targets: [
              Match.objectLike({
                Arn: ref(target),
                RoleArn: Match.anyValue(),
                DeadLetterConfig: { Arn: dlqArn() },
                RetryPolicy: retryPolicy,
              }),
            ],
          },
        });
        expect(s.template.toJSON().Resources[logicalId(rule)].Properties.EventPattern).toEqual(
          definition.pattern,
        );
      },
    );

    it('gives each rule a role that may start only its own workflow', () => {
      for (const definition of ruleDefinitions(cdkJsonConfig())) {
        const rule =
          s.template.toJSON().Resources[logicalId(s.shieldRight.findingRules.rules[definition.name])];
        const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0] as string;
        const statements = statementsOfRole(s.template, roleId);
        expect(statements).toEqual([
          expect.objectContaining({
            Action: 'states:StartExecution',
            Resource: ref(machine(definition.target)),
          }),
        ]);
      }
    });

    it('sends failed, timed-out and aborted executions of both workflows to reportFailure', () => {
      const arns = workflowNames.map((name) => machine(name).stateMachineArn);
      const expected = Stack.of(s.stack).resolve(executionFailurePattern(arns));
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectEquals(expected),
        Targets: [
          Match.objectLike({
            Arn: arnOf(fn('reportFailure')),
            DeadLetterConfig: { Arn: dlqArn() },
            RetryPolicy: retryPolicy,
          }),
        ],
      });
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(fn('reportFailure')),
        Principal: 'events.amazonaws.com',
        SourceArn: arnOf(s.shieldRight.findingRules.executionFailureRule),
      });
    });

    it('lets only the rules write to the dead-letter queue', () => {
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });
  });

  describe('workflows', () => {
    it.each(workflowNames)('%s substitutes its functions, table, bucket, partition and settings', (name) => {
      const workflow = WORKFLOWS[name];
      const resources: Record<string, unknown> = {
        IncidentTableName: ref(s.shieldRight.table),
        EvidenceBucketName: ref(s.shieldRight.bucket),
        Partition: { Ref: 'AWS::Partition' },
        // The securityHub setting (default off): the workflows' IsSecurityHubOn Choice reads it.
        SecurityHub: 'off',
        // Decided by CloudFormation from the partition (organization.test.ts checks both outcomes).
        TaskCredentialsRoleArns: {
          'Fn::If': [
            Match.stringLikeRegexp('TaskCredentialsAvailable'),
            'arn:aws:iam::*',
            NO_TASK_CREDENTIALS,
          ],
        },
      };
      const expected: Record<string, unknown> = Object.fromEntries(
        workflow.resources.map((key) => [key, resources[key]]),
      );
      for (const id of workflow.functions) expected[FUNCTIONS[id].substitution] = arnOf(fn(id));
      s.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `ShieldRight-${name}`,
        StateMachineType: 'STANDARD',
        DefinitionSubstitutions: Match.objectEquals(expected),
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: arnOf(s.shieldRight.workflows.logGroups[name]) } },
          ],
        },
      });
    });

    it.each(workflowNames)('%s role holds exactly its invocations and service actions', (name) => {
      const roleId = logicalId(machine(name).role);
      const statements = statementsOfRole(s.template, roleId);
      expect(actionsOf(statements)).toEqual(
        [
          ...new Set([
            ...WORKFLOW_RUNTIME_ACTIONS,
            ...EXPECTED_WORKFLOW_ACTIONS[name],
            ...keyActionsOfWorkflow(),
          ]),
        ].sort(),
      );
      const invoked = statements
        .filter((st) => asList(st.Action).includes('lambda:InvokeFunction'))
        .flatMap((st) => asList(st.Resource));
      const expectedInvoked = WORKFLOWS[name].functions.flatMap((id) => [
        arnOf(fn(id)),
        { 'Fn::Join': ['', [arnOf(fn(id)), ':*']] },
      ]);
      expect(invoked).toHaveLength(expectedInvoked.length);
      expect(invoked).toEqual(expect.arrayContaining(expectedInvoked));
    });

    it('stops tasks only in clusters of this account and tags services with the incident key only', () => {
      const statements = statementsOfRole(s.template, logicalId(machine('RuntimeThreatResponse').role));
      const stop = statements.find((st) => st.Action === 'ecs:StopTask');
      expect(stop?.Condition).toEqual({ ArnLike: { 'ecs:cluster': expect.anything() } });
      expect(JSON.stringify(stop?.Resource)).toContain(':task/*');
      const tag = statements.find((st) => st.Action === 'ecs:TagResource');
      expect(tag?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['shield-right:incident'] },
      });
      const put = statements.find((st) => st.Action === 's3:PutObject');
      expect(JSON.stringify(put?.Resource)).toMatch(/\/incidents\/\*.*\/rejected\/\*/);
    });
  });

  describe('function permissions', () => {
    it.each(functionIds)('%s has exactly its expected actions', (id) => {
      const role = s.shieldRight.functions.roles[id];
      const quarantineGroups = Object.keys(s.shieldRight.quarantineNetwork.groupIds).length > 0;
      expect(actionsOf(statementsOfRole(s.template, logicalId(role)))).toEqual(
        expectedFunctionActions(id, { quarantineGroups }),
      );
      s.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: FUNCTIONS[id].description,
        Role: arnOf(role),
      });
      // No managed policies (AWSLambdaBasicExecutionRole writes to every log group).
      expect(s.template.toJSON().Resources[logicalId(role)].Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('grants KMS only through the service that uses the key', () => {
      const keyStatements = allStatements(s).filter((st) =>
        asList(st.Action).some((a) => a.startsWith('kms:')),
      );
      expect(keyStatements.length).toBeGreaterThan(0);
      for (const st of keyStatements) {
        expect(st.Resource).toEqual(arnOf(s.shieldRight.key));
        expect(st.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
      }
    });

    it('scopes reportFailure to executions of the two state machines', () => {
      const statements = statementsOfRole(s.template, logicalId(s.shieldRight.functions.roles.reportFailure));
      const history = statements.find((st) => asList(st.Action).includes('states:GetExecutionHistory'));
      const resources = JSON.stringify(history?.Resource);
      for (const name of workflowNames) expect(resources).toContain(`:execution:ShieldRight-${name}:*`);
    });
  });

  it('never allows a mutating action on * without a condition', () => {
    const offending = allStatements(s)
      .filter((st) => st.Effect === 'Allow' && !st.Condition && asList(st.Resource).includes('*'))
      .flatMap((st) => asList(st.Action))
      .filter((action) => isMutating(action) && !STAR_ONLY_PLUMBING.has(action));
    expect(offending).toEqual([]);
  });

  describe('encryption', () => {
    const keyArn = () => arnOf(s.shieldRight.key);

    it('encrypts the topic, table, evidence bucket and dead-letter queue with the customer key', () => {
      s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn() });
      s.template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
      });
      s.template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() },
            },
          ],
        },
      });
      s.template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn() });
      s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('encrypts every log group and keeps it a year', () => {
      const groups = Object.values(s.template.findResources('AWS::Logs::LogGroup'));
      expect(groups).toHaveLength(functionIds.length + workflowNames.length);
      for (const group of groups) {
        expect(group.Properties).toEqual(
          expect.objectContaining({ KmsKeyId: keyArn(), RetentionInDays: 365 }),
        );
      }
    });

    it('denies non-TLS access to the topic, queue and buckets', () => {
      const insecure = Match.objectLike({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      for (const type of ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy']) {
        s.template.hasResourceProperties(type, {
          PolicyDocument: { Statement: Match.arrayWith([insecure]) },
        });
      }
      expect(Object.keys(s.template.findResources('AWS::S3::BucketPolicy'))).toHaveLength(2);
      s.template.allResourcesProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([insecure]) },
      });
    });
  });

  describe('functions', () => {
    it.each(functionIds)('%s runs Node.js 24 on arm64 with its manifest limits', (id) => {
      const spec = FUNCTIONS[id];
      s.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: spec.description,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb,
        // No reservation unless configured (construct-options.test.ts): small accounts can deploy.
        ReservedConcurrentExecutions: Match.absent(),
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: ref(s.shieldRight.functions.logGroups[id]) },
      });
    });

    it.each(functionIds)('%s receives exactly the environment it declares', (id) => {
      const variables = s.template.toJSON().Resources[logicalId(fn(id))].Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(
        ['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', ...FUNCTIONS[id].env].sort(),
      );
      expect(variables).toEqual(
        expect.objectContaining({
          POWERTOOLS_SERVICE_NAME: 'shield-right',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      );
    });

    it('deploys no Lambda that lifts a quarantine: a CLOSED Inspector finding is not a fix (issue 13)', () => {
      const functions = Object.values(s.template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(functionIds.length);
      expect(functionIds).not.toContain('releaseImage');
      const descriptions = functions.map((f) => String(f.Properties.Description));
      expect(descriptions.filter((d) => /release|lift/i.test(d))).toEqual([]);
      const [image] = Object.values(
        s.template.findResources('AWS::StepFunctions::StateMachine', {
          Properties: { StateMachineName: 'ShieldRight-VulnerableImageResponse' },
        }),
      );
      expect(Object.keys(image?.Properties.DefinitionSubstitutions ?? {})).not.toContain(
        'ReleaseImageFunctionArn',
      );
    });

    it('bundles each handler locally with esbuild, SDK included, minified with a source map', () => {
      const code = Object.values(s.template.findResources('AWS::Lambda::Function')).map(
        (f) => f.Properties.Code.S3Key as string,
      );
      expect(new Set(code).size).toBe(functionIds.length);
      const assets = readdirSync(s.outdir).filter((d) => d.startsWith('asset.'));
      for (const key of code) {
        const dir = assets.find((d) => key.startsWith(d.replace('asset.', '')));
        expect(dir).toBeDefined();
        const bundle = path.join(s.outdir, dir ?? '', 'index.js');
        const text = readFileSync(bundle, 'utf8');
        // Only the optional CRT signer (SigV4a, loaded in a try/catch) may stay outside the bundle.
        const external = [...text.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]);
        expect(external.filter((m) => m !== '@aws-sdk/signature-v4-crt')).toEqual([]);
        expect(text).toContain('sourceMappingURL=index.js.map');
        expect(statSync(`${bundle}.map`).size).toBeGreaterThan(0);
      }
    });
  });

  it('exports the outputs the operator CLI reads', () => {
    const outputs = s.template.toJSON().Outputs;
    expect(outputs[OUTPUT_IDS.RuntimeThreatResponse].Value).toEqual(ref(machine('RuntimeThreatResponse')));
    expect(outputs[OUTPUT_IDS.VulnerableImageResponse].Value).toEqual(
      ref(machine('VulnerableImageResponse')),
    );
    expect(outputs[OUTPUT_IDS.IncidentTable].Value).toEqual(ref(s.shieldRight.table));
    expect(outputs[OUTPUT_IDS.EvidenceBucket].Value).toEqual(ref(s.shieldRight.bucket));
    expect(outputs[OUTPUT_IDS.Topic].Value).toEqual(ref(s.shieldRight.topic));
  });

  describe('cdk-nag (AwsSolutions)', () => {
    it('reports no unacknowledged violation', () => {
      const report = JSON.parse(
        readFileSync(path.join(s.outdir, 'validation-report.json'), 'utf8'),
      ) as NagReport;
      const violations = report.pluginReports
        .flatMap((p) => p.violations)
        .filter((v) => v.ruleName.includes('AwsSolutions'))
        .map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);
      expect(violations).toEqual([]);
    });

    it('acknowledges findings one by one, each with a reason', () => {
      const acknowledged = s.stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        .flatMap((m) => Object.entries(m.data as Record<string, string>))
        // aws-cdk-lib records acknowledgments without a namespace under `Annotation::`; cdk-nag strips it.
        .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason] as const);
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const [id, reason] of acknowledged) {
        // IAM5 findings are acknowledged per resource, never for the whole rule.
        if (id.includes('IAM5')) expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
        expect(reason.length).toBeGreaterThan(30);
      }
    });
  });
});

interface NagReport {
  readonly pluginReports: {
    readonly violations: {
      readonly ruleName: string;
      readonly violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

function allStatements(s: Synthesized): Statement[] {
  return Object.values(s.template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p.Properties.PolicyDocument.Statement as Statement[]) ?? [],
  );
}

/** Both workflows write the encrypted table and bucket. */
function keyActionsOfWorkflow(): string[] {
  return ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
}
