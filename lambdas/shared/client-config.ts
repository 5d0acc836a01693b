/**
 * One configuration for every SDK client: adaptive retry with backoff and jitter for throttling and
 * 5xx, so a burst of findings slows down instead of failing.
 */
export const clientConfig = {
  retryMode: 'adaptive',
  maxAttempts: 6,
} as const;
