/**
 * The sandbox's request check: the committed botocore constraints (`constraints.json`) applied before any
 * operation answers, refused with the error each service documents for an invalid request. Sources per
 * service: docs/aws-behaviours.md, row O6.
 */
import { AwsError, type ServiceName } from '../types';
import data from './constraints.json';
import type { ConstraintData } from './types';
import { findViolation, type Violation } from './validate';

export const CONSTRAINTS = data as unknown as ConstraintData;

export interface ValidationAnswer {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Coral's sentence, shared by the JSON services: `1 validation error detected: Value 'x' at 'a.b' failed to satisfy constraint: …`. */
function coral(v: Violation): string {
  const value = v.kind === 'required' ? 'null' : `'${shown(v.value)}'`;
  return `1 validation error detected: Value ${value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`;
}

/**
 * Security Hub's newer (V2, OCSF) operations model ValidationException for an invalid request, its CSPM
 * operations InvalidInputException (botocore securityhub 2018-10-26, each operation's `errors`).
 */
const SECURITY_HUB_V2 = /V2$/;

/** How `service` refuses a request to `operation` that breaks its model. */
export function validationAnswer(service: ServiceName, v: Violation, operation = ''): ValidationAnswer {
  switch (service) {
    case 'ecr':
      return {
        code: 'InvalidParameterException',
        status: 400,
        message: `Invalid parameter at '${v.path}' failed to satisfy constraint: '${v.constraint}'`,
      };
    case 'ecs':
      return { code: 'InvalidParameterException', status: 400, message: coral(v) };
    case 'ec2':
      return v.kind === 'required'
        ? {
            code: 'MissingParameter',
            status: 400,
            message: `The request must contain the parameter ${v.path}`,
          }
        : {
            code: 'InvalidParameterValue',
            status: 400,
            message: `Value (${shown(v.value)}) for parameter ${v.path} is invalid. ${v.constraint}`,
          };
    case 's3':
      return { code: 'InvalidArgument', status: 400, message: `${v.member}: ${v.constraint}` };
    case 'sns':
      return {
        code: 'InvalidParameter',
        status: 400,
        message: `Invalid parameter: ${v.member} Reason: ${v.constraint}`,
      };
    case 'guardduty':
      return {
        code: 'BadRequestException',
        status: 400,
        message: `The request is rejected because the parameter ${v.path} has an invalid value.`,
      };
    case 'dynamodb':
    case 'inspector2':
    case 'states':
    case 'signer':
      return { code: 'ValidationException', status: 400, message: coral(v) };
    case 'sts':
      // STS speaks the query protocol: its common error for an invalid request is ValidationError.
      return { code: 'ValidationError', status: 400, message: coral(v) };
    case 'organizations':
    // Organizations models InvalidInputException (with a reason) for a request that breaks its model.
    case 'securityhub':
      return {
        code: SECURITY_HUB_V2.test(operation) ? 'ValidationException' : 'InvalidInputException',
        status: 400,
        message: coral(v),
      };
  }
}

/** The error AWS would answer `input` with, before doing anything, or undefined when the request is valid. */
export function modelViolation(
  service: ServiceName,
  operation: string,
  input: unknown,
): AwsError | undefined {
  const constraints = CONSTRAINTS.services[service];
  const violation = constraints ? findViolation(constraints, operation, input) : undefined;
  if (!violation) return undefined;
  const answer = validationAnswer(service, violation, operation);
  return new AwsError(answer.code, answer.message, { statusCode: answer.status });
}
