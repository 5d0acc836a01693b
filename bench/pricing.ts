/**
 * Price constants used to turn counts into dollars (us-east-1 list prices; check the pricing pages before
 * relying on them). Only Step Functions transitions and Lambda are priced: the AWS API calls the workflow
 * makes (ECS, EC2, ECR Describe*, DynamoDB on-demand, S3 PutObject, SNS) are priced by their own services
 * and are listed as counts.
 */
import { FUNCTIONS, type FunctionId } from '../definitions/functions';

export const PRICES = {
  /** Step Functions Standard: per state transition (retries count). */
  stepFunctionsPerTransition: 0.025 / 1000,
  /** Lambda requests. */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** Lambda compute, arm64 (Graviton), per GB-second (first tier). */
  lambdaPerGbSecondArm64: 0.0000133334,
  /** Lambda bills duration rounded up to the next millisecond. */
  lambdaBillingGranularityMs: 1,
} as const;

export const PRICE_NOTES = [
  'Step Functions Standard: $0.025 per 1,000 state transitions',
  'Lambda: $0.20 per 1M requests + $0.0000133334 per GB-s (arm64), memory from definitions/functions.ts',
  'Lambda duration = in-process handler wall time here (sandbox answers in microseconds): a LOWER BOUND',
] as const;

export interface InvocationCost {
  readonly fn: FunctionId;
  readonly durationMs: number;
}

/** Billed GB-seconds of one invocation. */
export function gbSeconds(fn: FunctionId, durationMs: number): number {
  const billedMs = Math.max(
    PRICES.lambdaBillingGranularityMs,
    Math.ceil(durationMs / PRICES.lambdaBillingGranularityMs) * PRICES.lambdaBillingGranularityMs,
  );
  return (FUNCTIONS[fn].memoryMb / 1024) * (billedMs / 1000);
}

export function stepFunctionsCost(transitions: number): number {
  return transitions * PRICES.stepFunctionsPerTransition;
}

export function lambdaCost(invocations: readonly InvocationCost[]): number {
  let total = 0;
  for (const i of invocations) {
    total += PRICES.lambdaPerRequest + gbSeconds(i.fn, i.durationMs) * PRICES.lambdaPerGbSecondArm64;
  }
  return total;
}
