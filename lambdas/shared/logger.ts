import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL come from the environment. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shield-right' });
