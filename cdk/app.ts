/**
 * CDK entry point (`cdk.json` runs it with tsx). The configuration comes from the `shield-right` context:
 * an object in cdk.json, or a JSON string from `-c shield-right='{…}'`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEY, ConfigError, parseConfig, type ShieldRightConfig } from '../definitions/config';
import { ShieldRightStack } from './shield-right';

const app = new App();

function readConfig(): ShieldRightConfig {
  try {
    return parseConfig(app.node.tryGetContext(CONTEXT_KEY));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The message names the offending key (`shield-right.inspector.minimumSeverity: …`).
    console.error(`shield-right: invalid configuration: ${err.message}`);
    process.exit(1);
  }
}

new ShieldRightStack(app, 'ShieldRight', {
  config: readConfig(),
  // Unset without credentials: the stack is then environment-agnostic (ARNs use pseudo parameters).
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// cdk-nag v3 is a policy validation plugin: violations fail the synth unless acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
