/**
 * The package's public entry (`import { ShieldRight, parseConfig } from 'shield-right'`): the construct,
 * a ready stack, and the configuration it takes. Nothing here loads the CLI, the simulator or an SDK client.
 */
export {
  type BlastRadiusConfig,
  CONTEXT_KEY,
  ConfigError,
  DEFAULT_CONFIG,
  type ImageQuarantineStrategy,
  type InspectorConfig,
  type InspectorSeverity,
  parseConfig,
  type ResponseMode,
  type ShieldRightConfig,
  type SlackConfig,
  type SubscriptionConfig,
} from '../definitions/config';
export {
  OUTPUT_IDS,
  ShieldRight,
  type ShieldRightProps,
  ShieldRightStack,
  type ShieldRightStackProps,
} from './shield-right';
