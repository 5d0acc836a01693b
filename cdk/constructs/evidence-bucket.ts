/**
 * Evidence written before any destructive action (`incidents/<id>/…`) and events that failed validation
 * (`rejected/…`). Versioned so a later write cannot silently replace what was captured.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface EvidenceBucketProps {
  readonly key: kms.IKey;
  /** Days in S3 Standard before Glacier Instant Retrieval (evidence is rarely read after the first weeks). */
  readonly transitionDays: number;
}

export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    // S3 server access logging can only deliver to an SSE-S3 bucket, hence the separate log bucket.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // No objectOwnership: CDK picks the log-delivery grant (bucket policy, or ACL without the
      // serverAccessLogsUseBucketPolicy flag) and the ownership setting that goes with it.
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      // One data key per bucket instead of one KMS call per evidence object.
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      lifecycleRules: [
        {
          id: 'ArchiveEvidence',
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.transitionDays),
            },
          ],
          noncurrentVersionExpiration: Duration.days(365),
        },
      ],
      // Evidence outlives the stack: an investigation may need it after shield-right is removed.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
