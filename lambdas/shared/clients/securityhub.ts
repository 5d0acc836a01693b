// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { clientConfig } from '../client-config';

export const securityhub = new SecurityHubClient(clientConfig);
