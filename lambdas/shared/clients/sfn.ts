// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig } from '../client-config';

export const sfn = new SFNClient(clientConfig);
