/** What `releaseIncident` needs, with every client answered by the simulator's sandbox account. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Simulator } from '../../local/engine';
import { attachSandbox } from '../../local/sandbox/transport';

export function sandboxReleaseDeps(sim: Simulator, now: () => number) {
  const region = sim.account.region;
  const clients = {
    ec2: new EC2Client({ region }),
    ecs: new ECSClient({ region }),
    ecr: new ECRClient({ region }),
    s3: new S3Client({ region }),
    dynamodb: new DynamoDBClient({ region }),
    sns: new SNSClient({ region }),
    securityhub: new SecurityHubClient({ region }),
  };
  for (const [service, client] of Object.entries(clients))
    attachSandbox(client, service as keyof typeof clients);
  return {
    ...clients,
    evidenceBucket: sim.bucket,
    table: sim.table,
    topicArn: sim.topicArn,
    region,
    now,
  };
}
