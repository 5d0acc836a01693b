// Jest projects keep unit, workflow, infrastructure, CLI and package tests apart so each can run alone.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', { setupFilesAfterEnv: ['aws-sdk-client-mock-jest'] }),
    project('workflow'),
    project('infra'),
    project('cli'),
    // Packs the project and installs the tarball in a fresh CDK app (minutes): `npm run test:package`.
    project('package'),
  ],
};
