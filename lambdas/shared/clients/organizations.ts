// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
// Organizations is global: from any commercial Region the SDK resolves organizations.us-east-1.amazonaws.com.
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { clientConfig } from '../client-config';

export const organizations = new OrganizationsClient(clientConfig);
