/**
 * Imported first by every bench entry point, before any handler or SDK client is loaded: handler logs
 * stay quiet (as in `shield-right simulate`) and the SDK's Node 20 notice does not interleave with tables.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';

export const BENCH_ENV_READY = true;
