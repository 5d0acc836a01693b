/**
 * Downloads an ECR layer from the pre-signed URL GetDownloadUrlForLayer returns (a signature envelope: a few
 * KB). One object per module, like the SDK clients, so the offline sandbox replaces only its transport.
 */
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

export class LayerDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerDownloadError';
  }
}

export const layerDownload = {
  async get(url: string): Promise<Uint8Array> {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new LayerDownloadError(`layer download answered HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_ENVELOPE_BYTES)
      throw new LayerDownloadError('signature envelope larger than 4 MiB');
    return bytes;
  },
};
