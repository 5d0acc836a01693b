// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { SignerClient } from '@aws-sdk/client-signer';
import { clientConfig } from '../client-config';

export const signer = new SignerClient(clientConfig);
