/**
 * Model-checked sandbox requests (issue 13, deliverable 7; docs/aws-behaviours.md row O6). The constraints
 * come from botocore (local/sandbox/models/constraints.json); each service refuses a request that breaks
 * them with the error it documents, before answering.
 */
import { ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { type Dispatcher, dispatchTask } from '../../local/asl-runner';
import { SandboxAccount } from '../../local/sandbox/account';
import { CONSTRAINTS, modelViolation } from '../../local/sandbox/models/check';
import { translateJavaPattern } from '../../local/sandbox/models/java-pattern';
import type { ScalarShape, ServiceConstraints } from '../../local/sandbox/models/types';
import { findViolation } from '../../local/sandbox/models/validate';
import { StatesService } from '../../local/sandbox/states';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';
import type { ServiceName } from '../../local/sandbox/types';

/** The error each service documents for an invalid request (sources: docs/aws-behaviours.md O6). */
const DOCUMENTED: Readonly<Record<ServiceName, { invalid: string; missing: string }>> = {
  dynamodb: { invalid: 'ValidationException', missing: 'ValidationException' },
  ec2: { invalid: 'InvalidParameterValue', missing: 'MissingParameter' },
  ecr: { invalid: 'InvalidParameterException', missing: 'InvalidParameterException' },
  ecs: { invalid: 'InvalidParameterException', missing: 'InvalidParameterException' },
  guardduty: { invalid: 'BadRequestException', missing: 'BadRequestException' },
  inspector2: { invalid: 'ValidationException', missing: 'ValidationException' },
  s3: { invalid: 'InvalidArgument', missing: 'InvalidArgument' },
  sns: { invalid: 'InvalidParameter', missing: 'InvalidParameter' },
  states: { invalid: 'ValidationException', missing: 'ValidationException' },
  signer: { invalid: 'ValidationException', missing: 'ValidationException' },
  sts: { invalid: 'ValidationError', missing: 'ValidationError' },
  securityhub: { invalid: 'InvalidInputException', missing: 'InvalidInputException' },
  organizations: { invalid: 'InvalidInputException', missing: 'InvalidInputException' },
};

/** Operations documenting another error than their service's others (botocore: each operation's `errors`). */
const DOCUMENTED_BY_OPERATION: Readonly<Record<string, { invalid: string; missing: string }>> = {
  'securityhub:GetFindingsV2': { invalid: 'ValidationException', missing: 'ValidationException' },
  'securityhub:BatchUpdateFindingsV2': { invalid: 'ValidationException', missing: 'ValidationException' },
  'securityhub:DescribeSecurityHubV2': { invalid: 'ValidationException', missing: 'ValidationException' },
};

// Candidate strings for a string shape; the first that satisfies its length and pattern is used.
const SAMPLES = [
  'abc',
  '111122223333',
  'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
  'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'a',
];

type Json = unknown;

function sampleString(shape: ScalarShape): string {
  if (shape.enum?.[0] !== undefined) return shape.enum[0];
  const fits = (s: string) =>
    [...s].length >= (shape.min ?? 0) &&
    [...s].length <= (shape.max ?? Number.POSITIVE_INFINITY) &&
    (shape.pattern === undefined || new RegExp(shape.pattern, 'u').test(s));
  const found = [...SAMPLES, 'a'.repeat(shape.min ?? 1)].find(fits);
  if (found === undefined)
    throw new Error(`no sample string fits ${JSON.stringify(shape)}: add one to SAMPLES`);
  return found;
}

/** The smallest value that satisfies `name`'s constraints (required members only). */
function validValue(shapes: ServiceConstraints['shapes'], name: string): Json {
  const shape = shapes[name];
  if (!shape) return 'x';
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, Json> = {};
      for (const member of shape.required ?? []) {
        const memberShape = shape.members?.[member];
        out[member] = memberShape ? validValue(shapes, memberShape) : 'x';
      }
      return out;
    }
    case 'list':
      return Array.from({ length: shape.min ?? 0 }, () =>
        shape.member ? validValue(shapes, shape.member) : 'x',
      );
    case 'map':
      return Object.fromEntries(
        Array.from({ length: shape.min ?? 0 }, (_, i) => [
          `k${i}`,
          shape.value ? validValue(shapes, shape.value) : 'x',
        ]),
      );
    case 'string':
      return sampleString(shape);
    case 'blob':
      return new Uint8Array(shape.min ?? 1);
    default:
      return shape.min ?? (shape.max !== undefined ? Math.min(1, shape.max) : 1);
  }
}

/** `valid` changed to break exactly one constraint of `name`, or undefined if the shape has none to break. */
function broken(shapes: ServiceConstraints['shapes'], name: string, valid: Json): Json | undefined {
  const shape = shapes[name];
  if (!shape) return undefined;
  switch (shape.type) {
    case 'structure': {
      const record = valid as Record<string, Json>;
      const [first] = shape.required ?? [];
      if (first !== undefined) {
        const { [first]: _dropped, ...rest } = record;
        return rest;
      }
      for (const [member, memberShape] of Object.entries(shape.members ?? {})) {
        const inner = broken(shapes, memberShape, record[member] ?? validValue(shapes, memberShape));
        if (inner !== undefined) return { ...record, [member]: inner };
      }
      return undefined;
    }
    case 'list': {
      const item = () => (shape.member ? validValue(shapes, shape.member) : 'x');
      if (shape.max !== undefined) return Array.from({ length: shape.max + 1 }, item);
      if ((shape.min ?? 0) > 0) return [];
      const inner = shape.member ? broken(shapes, shape.member, item()) : undefined;
      return inner === undefined ? undefined : [inner];
    }
    case 'map': {
      const value = () => (shape.value ? validValue(shapes, shape.value) : 'x');
      if (shape.max !== undefined)
        return Object.fromEntries(Array.from({ length: shape.max + 1 }, (_, i) => [`k${i}`, value()]));
      if ((shape.min ?? 0) > 0) return {};
      const inner = shape.value ? broken(shapes, shape.value, value()) : undefined;
      return inner === undefined ? undefined : { k: inner };
    }
    case 'string':
      if (shape.enum) return 'NOT_A_MODEL_VALUE';
      if (shape.max !== undefined) return 'a'.repeat(shape.max + 1);
      if ((shape.min ?? 0) > 0) return '';
      if (shape.pattern !== undefined)
        return ['\u0000', ' !#', '\n'].find((s) => !new RegExp(shape.pattern ?? '', 'u').test(s));
      return undefined;
    case 'blob':
      if (shape.max !== undefined) return new Uint8Array(shape.max + 1);
      return (shape.min ?? 0) > 0 ? new Uint8Array(0) : undefined;
    default:
      if (shape.max !== undefined) return shape.max + 1;
      return shape.min !== undefined ? shape.min - 1 : undefined;
  }
}

function accountWithStates(): SandboxAccount {
  const account = new SandboxAccount();
  const never = async (): Promise<never> => {
    throw new Error('no execution is started by a refused request');
  };
  account.register(new StatesService(account, { start: never, redrive: never }));
  return account;
}

const operations = Object.entries(CONSTRAINTS.services).flatMap(([service, constraints]) =>
  Object.entries(constraints.operations).map(([operation, input]) => ({
    service: service as ServiceName,
    operation,
    input,
    constraints,
  })),
);

describe('the constraint data', () => {
  it('names its source: botocore repository, commit and the model file of each service', () => {
    expect(CONSTRAINTS.source).toMatchObject({
      repository: 'https://github.com/boto/botocore',
      commit: '0e6e2404b85dc336dd2889814e089bde7d1a4c55',
    });
    for (const constraints of Object.values(CONSTRAINTS.services))
      expect(constraints.model).toMatch(/^botocore\/data\/[a-z0-9]+\/\d{4}-\d{2}-\d{2}\/service-2\.json$/);
  });

  it('covers every operation the sandbox answers, so no request reaches a service unchecked', () => {
    const account = accountWithStates();
    const registered = (account as unknown as { services: Map<string, { operations: object }> }).services;
    for (const [service, impl] of registered)
      for (const operation of Object.keys(impl.operations))
        expect(
          `${service}:${operation} ${operation in (CONSTRAINTS.services[service]?.operations ?? {})}`,
        ).toBe(`${service}:${operation} true`);
  });

  it('compiles every pattern it holds as a u-flag RegExp', () => {
    for (const constraints of Object.values(CONSTRAINTS.services))
      for (const shape of Object.values(constraints.shapes))
        if ('pattern' in shape && shape.pattern !== undefined)
          expect(() => new RegExp(shape.pattern ?? '', 'u')).not.toThrow();
  });
});

describe.each(operations)('$service:$operation', ({ service, operation, input, constraints }) => {
  const valid = input ? validValue(constraints.shapes, input) : {};
  const invalid = input ? broken(constraints.shapes, input, valid) : undefined;

  it('a request that satisfies the model is not refused by the check', () => {
    expect(findViolation(constraints, operation, valid)).toBeUndefined();
    expect(modelViolation(service, operation, valid)).toBeUndefined();
  });

  it("a request that breaks one constraint is refused, before answering, with the service's documented error", async () => {
    if (invalid === undefined) {
      // Nothing in this operation's input is constrained by the model: any request passes the check.
      expect(input === null || constraints.shapes[input] === undefined).toBe(true);
      return;
    }
    const violation = findViolation(constraints, operation, invalid);
    expect(violation).toBeDefined();
    const documented = DOCUMENTED_BY_OPERATION[`${service}:${operation}`] ?? DOCUMENTED[service];
    const expected = violation?.kind === 'required' ? documented.missing : documented.invalid;
    const account = accountWithStates();
    await expect(account.call(service, operation, invalid as Record<string, unknown>)).rejects.toMatchObject({
      name: expected,
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('the validator', () => {
  const ecs = CONSTRAINTS.services.ecs as ServiceConstraints;
  const dynamodb = CONSTRAINTS.services.dynamodb as ServiceConstraints;
  const ecr = CONSTRAINTS.services.ecr as ServiceConstraints;

  it('reports a missing required member as null, with its lower-camel path', () => {
    expect(findViolation(dynamodb, 'GetItem', { Key: { id: { S: 'a' } } })).toMatchObject({
      kind: 'required',
      path: 'tableName',
      constraint: 'Member must not be null',
    });
  });

  it('checks list lengths and reaches into list members with 1-based .N.member paths', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(findViolation(ecs, 'TagResource', { resourceArn: 'arn', tags })).toMatchObject({
      kind: 'length',
      path: 'tags',
      constraint: 'Member must have length less than or equal to 50',
    });
    expect(
      findViolation(ecs, 'TagResource', {
        resourceArn: 'arn',
        tags: [
          { key: 'ok', value: 'v' },
          { key: 'k', value: 'a,b' },
        ],
      }),
    ).toMatchObject({ kind: 'pattern', path: 'tags.2.member.value' });
  });

  it('matches the whole value against a Java pattern with Unicode classes (ECS tag value [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)', () => {
    const tag = (value: string) =>
      findViolation(ecs, 'TagResource', { resourceArn: 'arn', tags: [{ key: 'k', value }] });
    expect(tag('Équipe sécurité 2 : prod/web=1+2-3@x_y.z')).toBeUndefined();
    expect(tag('a;b')?.constraint).toBe(
      'Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)',
    );
  });

  it('counts string length in code points, as AWS does', () => {
    const key = (k: string) =>
      findViolation(ecs, 'TagResource', { resourceArn: 'arn', tags: [{ key: k, value: '' }] });
    expect(key('é'.repeat(128))).toBeUndefined();
    // U+20000 is one letter (one code point) but two UTF-16 units.
    expect(key('\u{20000}'.repeat(128))).toBeUndefined();
    expect(key('a'.repeat(129))?.kind).toBe('length');
  });

  it('checks enums and numeric ranges', () => {
    expect(
      findViolation(ecr, 'DescribeImages', { repositoryName: 'web', filter: { imageStatus: 'GONE' } }),
    ).toMatchObject({ kind: 'enum', path: 'filter.imageStatus' });
    expect(findViolation(ecr, 'DescribeImages', { repositoryName: 'web', maxResults: 1001 })).toMatchObject({
      kind: 'range',
      constraint: 'Member must have value less than or equal to 1000',
    });
    expect(findViolation(dynamodb, 'Scan', { TableName: 'tbl', Segment: 0, TotalSegments: 0 })).toMatchObject(
      {
        kind: 'range',
        path: 'totalSegments',
        constraint: 'Member must have value greater than or equal to 1',
      },
    );
  });

  it('refuses a registry id that is not 12 digits (ECR, as AWS answered amazon-ecr-login issue 225)', async () => {
    await expect(
      new SandboxAccount().call('ecr', 'DescribeRepositories', { registryId: '12345' }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message:
        "Invalid parameter at 'registryId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'",
    });
  });

  it('answers DynamoDB in Coral form (the exact text DynamoDB returned, quoted in nubo-db/dynoxide issue 11)', () => {
    expect(modelViolation('dynamodb', 'PutItem', { TableName: '', Item: {} })?.message).toBe(
      "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});

describe('Java patterns', () => {
  it('anchors, maps POSIX classes and drops escapes JavaScript refuses', () => {
    expect(translateJavaPattern('[\\p{Alnum}\\:_]+')).toEqual({ ok: true, source: '^(?:[a-zA-Z0-9:_]+)$' });
    expect(translateJavaPattern('\\p{Alpha}++\\z')).toEqual({ ok: true, source: '^(?:[a-zA-Z]+$)$' });
  });

  it('refuses what it cannot translate instead of guessing', () => {
    expect(translateJavaPattern('[a-z&&[^aeiou]]').ok).toBe(false);
    expect(translateJavaPattern('\\p{javaLowerCase}').ok).toBe(false);
  });
});

describe('every path into the sandbox is checked', () => {
  it('an SDK v3 client (the Lambdas and the CLI) gets the error class', async () => {
    const client = new ECSClient({ region: 'us-east-1' });
    attachSandbox(client, 'ecs');
    const account = new SandboxAccount();
    await expect(
      runInSandbox(account, () =>
        client.send(
          new TagResourceCommand({
            resourceArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/abc',
            tags: [{ key: 'k', value: 'a#b' }],
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('aws-sdk and optimized Step Functions integrations are refused under their Step Functions names', async () => {
    const account = new SandboxAccount();
    const dispatcher: Dispatcher = {
      invokeLambda: async () => null,
      callService: (service, operation, input) => account.call(service, operation, input),
    };
    await expect(
      dispatchTask(dispatcher, 'arn:aws:states:::aws-sdk:ecs:stopTask', { Cluster: 'prod' }),
    ).rejects.toMatchObject({ name: 'Ecs.InvalidParameterException' });
    // DynamoDB does not model ValidationException: the optimized integration names it by the base exception.
    await expect(
      dispatchTask(dispatcher, 'arn:aws:states:::dynamodb:putItem', { Item: {} }),
    ).rejects.toMatchObject({
      name: 'DynamoDB.AmazonDynamoDBException',
      message: expect.stringContaining("at 'tableName'"),
    });
  });
});
