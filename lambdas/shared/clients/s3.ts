// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../client-config';

export const s3 = new S3Client(clientConfig);
