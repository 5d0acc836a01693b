// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { ECRClient } from '@aws-sdk/client-ecr';
import { clientConfig } from '../client-config';

export const ecr = new ECRClient(clientConfig);
