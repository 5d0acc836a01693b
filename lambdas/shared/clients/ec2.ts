// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig } from '../client-config';

export const ec2 = new EC2Client(clientConfig);
