/**
 * The incident table: one item per finding (`INCIDENT#<id>`), containment claims and blast-radius
 * counters (expired by TTL), listed by time through the `byEntity` index.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const INCIDENTS_BY_ENTITY_INDEX = 'byEntity';

export interface IncidentStoreProps {
  readonly key: kms.IKey;
}

export class IncidentStore extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: IncidentStoreProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      // Findings arrive in bursts and are rare otherwise: on-demand costs nothing while idle.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'ttl',
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      // The incident history outlives the stack: it is the record of what was done to which task.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: INCIDENTS_BY_ENTITY_INDEX,
      partitionKey: { name: 'entity', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
