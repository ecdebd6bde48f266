// Two projects: fast pure unit specs beside the code, and integration suites under test/
// that talk to a real PostgreSQL and a real Kafka-protocol broker (see test/harness).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
const moduleNameMapper = {
  '^@staysync/config$': '<rootDir>/libs/config/src',
  '^@staysync/core$': '<rootDir>/libs/core/src',
  '^@staysync/contracts$': '<rootDir>/libs/contracts/src',
  '^@staysync/crypto$': '<rootDir>/libs/crypto/src',
  '^@staysync/db$': '<rootDir>/libs/db/src',
  '^@staysync/kafka$': '<rootDir>/libs/kafka/src',
  '^@staysync/observability$': '<rootDir>/libs/observability/src',
  '^@staysync/pipeline$': '<rootDir>/libs/pipeline/src',
  '^@staysync/runtime$': '<rootDir>/libs/runtime/src',
  '^@staysync/sources$': '<rootDir>/libs/sources',
  '^@staysync/source-airbnb$': '<rootDir>/libs/sources/airbnb/src',
  '^@staysync/source-hostaway$': '<rootDir>/libs/sources/hostaway/src',
  '^@staysync/simulators$': '<rootDir>/libs/simulators/src',
  '^@staysync/testing$': '<rootDir>/test/harness',
};
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
