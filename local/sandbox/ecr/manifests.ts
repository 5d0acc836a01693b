/** OCI image manifests: the default one provisioning generates, and what ECR reads from a pushed one. */
import { isRecord, sha256Hex } from '../shared';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A small, valid OCI manifest whose content (and so digest) is determined by `seed`. */
export function defaultManifest(seed: string): string {
  const layerSize = 2_000_000 + (Number.parseInt(sha256Hex(`size|${seed}`).slice(0, 6), 16) % 50_000_000);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: `sha256:${sha256Hex(`config|${seed}`)}`, size: 1469 },
    layers: [{ mediaType: OCI_LAYER, digest: `sha256:${sha256Hex(`layer|${seed}`)}`, size: layerSize }],
  });
}

function parseManifest(manifest: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(manifest);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function manifestMediaType(manifest: string): string | undefined {
  const mediaType = parseManifest(manifest)?.mediaType;
  return typeof mediaType === 'string' ? mediaType : undefined;
}

/** ECR reports the compressed size of the layers; fall back to the manifest's own length. */
export function manifestSize(manifest: string): number {
  const layers = parseManifest(manifest)?.layers;
  if (!Array.isArray(layers)) return manifest.length;
  let total = 0;
  for (const layer of layers) {
    const size = isRecord(layer) ? layer.size : undefined;
    if (typeof size === 'number') total += size;
  }
  return total > 0 ? total : manifest.length;
}
