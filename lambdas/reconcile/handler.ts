/**
 * Reconcile (scheduled): start the response to findings whose EventBridge event was missed, and notify
 * image incidents that look resolved. The sweep is lambdas/actions/reconcile.ts.
 */
import { inspectorSeveritiesAtOrAbove } from '../../definitions/config';
import { reconcile } from '../actions/reconcile';
import { parseStateMachineArns, sweepTime } from '../core/schemas/reconcile';
import { dynamodb } from '../shared/clients/dynamodb';
import { ecs } from '../shared/clients/ecs';
import { guardduty } from '../shared/clients/guardduty';
import { inspector2 } from '../shared/clients/inspector2';
import { sfn } from '../shared/clients/sfn';
import { sns } from '../shared/clients/sns';
import { environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('INCIDENT_TABLE', 'TOPIC_ARN', 'STATE_MACHINE_ARNS');

export const handler = async (event: unknown) => {
  const { INCIDENT_TABLE: table, TOPIC_ARN: topicArn, STATE_MACHINE_ARNS: arns } = env();
  const settings = policySettings();
  const result = await reconcile({
    inspector2,
    guardduty,
    sfn,
    dynamodb,
    ecs,
    sns,
    table,
    topicArn,
    region: process.env.AWS_REGION ?? 'us-east-1',
    stateMachineArns: parseStateMachineArns(arns),
    settings: {
      inspectorSeverities: inspectorSeveritiesAtOrAbove(settings.inspector.minimumSeverity),
      minimumSeverity: settings.minimumSeverity,
      everyMinutes: settings.reconcile.everyMinutes,
      pageBudget: settings.reconcile.pageBudget,
    },
    now: sweepTime(event, Date.now()),
  });
  const truncated = result.inspector.truncated || result.guardduty.truncated || result.resolutions.truncated;
  const log = truncated ? logger.warn.bind(logger) : logger.info.bind(logger);
  log(truncated ? 'reconciled, truncated: the page budget ran out' : 'reconciled', {
    since: result.since,
    started: result.inspector.started.length + result.guardduty.started.length,
    inspector: { ...result.inspector, started: result.inspector.started.length },
    guardduty: { ...result.guardduty, started: result.guardduty.started.length },
    resolved: result.resolutions.notified.length,
    truncated: {
      inspector: result.inspector.truncated,
      guardduty: result.guardduty.truncated,
      incidents: result.resolutions.truncated,
    },
  });
  return result;
};
