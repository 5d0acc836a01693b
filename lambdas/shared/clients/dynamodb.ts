// Created once per module so warm invocations reuse connections; tests and the sandbox replace only its transport.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../client-config';

export const dynamodb = new DynamoDBClient(clientConfig);
