// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { clientConfig } from '../client-config';

export const inspector2 = new Inspector2Client(clientConfig);
