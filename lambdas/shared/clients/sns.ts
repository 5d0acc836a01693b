// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { SNSClient } from '@aws-sdk/client-sns';
import { clientConfig } from '../client-config';

export const sns = new SNSClient(clientConfig);
