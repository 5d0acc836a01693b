#!/usr/bin/env node
// The package's command: loads the TypeScript CLI through tsx, so no build step is needed.
// Set before any SDK client is created: handler logs stay quiet in the terminal unless asked for, and the
// SDK's Node 20 end-of-support notice says nothing about this command's behaviour.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('./shield-right.ts');
