import { isDigest, parseImage } from '../../lambdas/core/image';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImage', () => {
  it('parses a private ECR image with a tag', () => {
    const uri = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/payments-api:v1.4.2';

    expect(parseImage(uri)).toEqual({
      uri,
      registry: '111122223333.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'team/payments-api',
      tag: 'v1.4.2',
      ecr: { accountId: '111122223333', region: 'eu-west-1' },
    });
  });

  it('recognizes ECR in the China partition (.amazonaws.com.cn)', () => {
    const image = parseImage('111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1');

    expect(image.ecr).toEqual({ accountId: '111122223333', region: 'cn-north-1' });
    expect(image.repository).toBe('app');
  });

  it('recognizes ECR FIPS endpoints', () => {
    const image = parseImage('111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1');

    expect(image.ecr).toEqual({ accountId: '111122223333', region: 'us-gov-west-1' });
    expect(image.registry).toBe('111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com');
  });

  it('parses a digest-pinned image without a tag', () => {
    const image = parseImage(`111122223333.dkr.ecr.us-east-1.amazonaws.com/app@${DIGEST}`);

    expect(image.repository).toBe('app');
    expect(image.digest).toBe(DIGEST);
    expect(image.tag).toBeUndefined();
    expect(image.ecr?.accountId).toBe('111122223333');
  });

  it('parses tag and digest together', () => {
    const image = parseImage(`111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v2@${DIGEST}`);

    expect(image).toMatchObject({ repository: 'app', tag: 'v2', digest: DIGEST });
  });

  it('drops a malformed digest but keeps the name', () => {
    const image = parseImage('nginx@sha256:abc');

    expect(image.digest).toBeUndefined();
    expect(image.repository).toBe('nginx');
  });

  it.each<[string, string, string | undefined]>([
    ['nginx', 'nginx', undefined],
    ['nginx:1.25', 'nginx', '1.25'],
    ['bitnami/redis:7.2', 'bitnami/redis', '7.2'],
    ['docker.io/library/nginx:latest', 'library/nginx', 'latest'],
  ])('puts the Docker Hub name %s in docker.io', (uri, repository, tag) => {
    const image = parseImage(uri);

    expect(image.registry).toBe('docker.io');
    expect(image.repository).toBe(repository);
    expect(image.tag).toBe(tag);
    expect(image.ecr).toBeUndefined();
  });

  it('keeps a registry port apart from the tag', () => {
    expect(parseImage('registry.example.com:5000/team/app:1.0')).toEqual({
      uri: 'registry.example.com:5000/team/app:1.0',
      registry: 'registry.example.com:5000',
      repository: 'team/app',
      tag: '1.0',
    });
    expect(parseImage('localhost:5000/app')).toEqual({
      uri: 'localhost:5000/app',
      registry: 'localhost:5000',
      repository: 'app',
    });
  });

  it('treats localhost as a registry', () => {
    expect(parseImage('localhost/app:dev')).toMatchObject({
      registry: 'localhost',
      repository: 'app',
      tag: 'dev',
    });
  });

  it('does not treat ECR Public as a private ECR registry', () => {
    const image = parseImage('public.ecr.aws/nginx/nginx:latest');

    expect(image).toEqual({
      uri: 'public.ecr.aws/nginx/nginx:latest',
      registry: 'public.ecr.aws',
      repository: 'nginx/nginx',
      tag: 'latest',
    });
  });

  it('does not mistake a look-alike host for ECR', () => {
    expect(parseImage('111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.example/app:1').ecr).toBeUndefined();
    expect(parseImage('12345.dkr.ecr.us-east-1.amazonaws.com/app:1').ecr).toBeUndefined();
  });

  it('keeps the uri as given while parsing it trimmed', () => {
    const image = parseImage(' nginx:1 ');

    expect(image.uri).toBe(' nginx:1 ');
    expect(image.tag).toBe('1');
  });
});

describe('isDigest', () => {
  it('accepts sha256 digests only', () => {
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest(DIGEST.toUpperCase())).toBe(false);
    expect(isDigest('sha256:abc')).toBe(false);
    expect(isDigest(42)).toBe(false);
  });
});
