import { AwsError } from '../types';

/** DynamoDB reports every malformed request, expression or value as a ValidationException. */
export function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}
