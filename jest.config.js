// ESM + ts-jest: useESM, a resolver for the .js suffixes of NodeNext imports, --experimental-vm-modules;
// tsconfig's isolatedModules makes ts-jest transpile each file alone (typecheck is its own step).
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
  verbose: false,
};
