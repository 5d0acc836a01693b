// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { clientConfig } from '../client-config';

export const guardduty = new GuardDutyClient(clientConfig);
