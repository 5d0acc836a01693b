/**
 * `TransactWriteItems` as DynamoDB runs it: all or nothing, idempotent per `ClientRequestToken` for ten
 * minutes, and in flight for a while. A transaction holds its items from its arrival until it commits (one
 * await point later); another transaction touching a held item is cancelled with `TransactionConflict` for
 * that item, as DynamoDB cancels transactions that overlap on an item. Conditions are evaluated when the
 * transaction commits, so a single-item write that lands meanwhile is ordered before it, never lost.
 */
import { CANCELLATION_REASONS, cancellationMessage } from '../../../definitions/aws-errors';
import { type AccountContext, AwsError } from '../types';
import { validation } from './errors';
import { type Input, optionalString } from './requests';
import type { Table } from './table';
import { cloneItem, type Item, isMapLike } from './values';
import { commit, evaluatePlan, planDelete, planPut, planUpdate, type WritePlan } from './writes';

export interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
  readonly Item?: Item;
}

/** What the SDK raises for a cancelled transaction: the reasons in item order, and the message listing their codes. */
export function transactionCanceled(reasons: readonly CancellationReason[]): AwsError {
  const message = cancellationMessage(reasons.map((r) => r.Code));
  return Object.assign(new AwsError('TransactionCanceledException', message), {
    CancellationReasons: reasons,
  });
}

/** The reason DynamoDB gives an item another transaction holds (message as the SDKs report it; not in the model). */
export const CONFLICT_REASON: CancellationReason = {
  Code: CANCELLATION_REASONS.conflict,
  Message: 'Transaction is ongoing for the item',
};

const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

export class TransactionWriter {
  /** Items held by transactions in flight: `<table>\0<key>`. */
  private readonly inFlight = new Set<string>();
  private readonly tokens = new Map<string, { fingerprint: string; at: number }>();

  constructor(
    private readonly tables: ReadonlyMap<string, Table>,
    private readonly ctx: AccountContext,
  ) {}

  async write(input: Input): Promise<unknown> {
    const entries = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    if (entries.length === 0 || entries.length > 100) {
      throw validation(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1`,
      );
    }
    const token = optionalString(input, 'ClientRequestToken');
    const fingerprint = token === undefined ? '' : JSON.stringify(entries);
    if (token !== undefined && this.isRepeat(token, fingerprint)) return {};
    const plans = entries.map((raw: unknown) => this.plan(raw));
    const ids = plans.map((plan) => `${plan.table.definition.TableName}\u0000${plan.keyString}`);
    if (new Set(ids).size !== ids.length) {
      throw validation('Transaction request cannot include multiple operations on one item');
    }
    if (ids.some((id) => this.inFlight.has(id))) {
      throw transactionCanceled(
        ids.map((id) => (this.inFlight.has(id) ? CONFLICT_REASON : { Code: CANCELLATION_REASONS.none })),
      );
    }
    for (const id of ids) this.inFlight.add(id);
    try {
      // The transaction is in flight across this await: a concurrent transaction on its items conflicts.
      await Promise.resolve();
      this.apply(plans);
    } finally {
      for (const id of ids) this.inFlight.delete(id);
    }
    if (token !== undefined) this.tokens.set(token, { fingerprint, at: this.ctx.now() });
    return {};
  }

  private isRepeat(token: string, fingerprint: string): boolean {
    const previous = this.tokens.get(token);
    if (!previous || this.ctx.now() - previous.at >= IDEMPOTENCY_WINDOW_MS) return false;
    if (previous.fingerprint !== fingerprint) {
      throw new AwsError(
        'IdempotentParameterMismatchException',
        'Request parameters do not match the previous request with the same client token',
      );
    }
    return true;
  }

  private plan(raw: unknown): WritePlan {
    const entry = isMapLike(raw) ? raw : {};
    const kinds = ['Put', 'Update', 'Delete', 'ConditionCheck'].filter((k) => entry[k] !== undefined);
    const [kind] = kinds;
    const body = kind === undefined ? undefined : entry[kind];
    if (kinds.length !== 1 || !isMapLike(body)) {
      throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
    }
    if (kind === 'Put') return planPut(this.tables, body);
    if (kind === 'Update') {
      if (body.UpdateExpression === undefined)
        throw validation('The UpdateExpression parameter is required for an Update');
      return planUpdate(this.tables, body);
    }
    return planDelete(this.tables, body, kind === 'ConditionCheck');
  }

  /** Checks every condition, then commits every item, or none with the reason of each. */
  private apply(plans: readonly WritePlan[]): void {
    const reasons: CancellationReason[] = [];
    const outcomes: Array<Item | undefined | null> = [];
    for (const plan of plans) {
      try {
        outcomes.push(evaluatePlan(plan).next);
        reasons.push({ Code: CANCELLATION_REASONS.none });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        outcomes.push(null);
        if (error.name === 'ConditionalCheckFailedException') {
          const current = plan.returnOldOnFailure ? plan.table.items.get(plan.keyString) : undefined;
          reasons.push({
            Code: CANCELLATION_REASONS.conditionFailed,
            Message: 'The conditional request failed',
            ...(current ? { Item: cloneItem(current) } : {}),
          });
        } else {
          reasons.push({ Code: CANCELLATION_REASONS.validation, Message: error.message });
        }
      }
    }
    if (reasons.some((r) => r.Code !== CANCELLATION_REASONS.none)) throw transactionCanceled(reasons);
    plans.forEach((plan, i) => {
      commit(plan, outcomes[i]);
    });
  }
}
