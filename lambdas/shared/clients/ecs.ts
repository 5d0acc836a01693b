// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig } from '../client-config';

export const ecs = new ECSClient(clientConfig);
