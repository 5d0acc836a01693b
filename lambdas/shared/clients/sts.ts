// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { STSClient } from '@aws-sdk/client-sts';
import { clientConfig } from '../client-config';

export const sts = new STSClient(clientConfig);
