/** Container image references: which registry, repository, tag and digest, and whether it is private ECR. */

export interface ImageReference {
  /** The reference as the task definition gave it. */
  readonly uri: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Set when the image lives in a private ECR registry. */
  readonly ecr?: { readonly accountId: string; readonly region: string };
}

const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses `registry/repo[:tag][@digest]`; Docker Hub short names get `docker.io` like the Docker CLI does. */
export function parseImage(uri: string): ImageReference {
  let rest = uri.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const candidate = rest.slice(at + 1);
    if (DIGEST.test(candidate)) digest = candidate;
    rest = rest.slice(0, at);
  }
  const firstSlash = rest.indexOf('/');
  const head = firstSlash >= 0 ? rest.slice(0, firstSlash) : '';
  const hasRegistry = firstSlash >= 0 && (head.includes('.') || head.includes(':') || head === 'localhost');
  const registry = hasRegistry ? head : 'docker.io';
  let path = hasRegistry ? rest.slice(firstSlash + 1) : rest;
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1) || undefined;
    path = path.slice(0, colon);
  }
  const match = ECR_REGISTRY.exec(registry);
  return {
    uri,
    registry,
    repository: path,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    ...(match?.[1] && match[2] ? { ecr: { accountId: match[1], region: match[2] } } : {}),
  };
}

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}
