import { readFileSync } from 'node:fs';

/**
 * Jest runs the TypeScript sources as ES modules (see package.json "test:unit"). The demo imports
 * Lookout by package name; here each entry point maps to its source, read from package.json
 * `exports` (./dist/lib/x.js is built from ./lib/x.ts), so that tests and the library they import
 * share one copy of it.
 */
const { name, exports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const packageEntries = Object.fromEntries(
  Object.entries(exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => [
      `^${name}${subpath.slice(1)}$`,
      target.default.replace(/^\.\/dist\/(.*)\.js$/, '<rootDir>/$1.ts'),
    ]),
);

// CDK's built-in CloudFormation validation starts a WebAssembly engine at a process's first synth,
// about 4 s of CPU in every suite that synthesizes; its findings are warnings unless made strict.
// The suites skip it; the demo stack's suite runs it, strict, on purpose.
process.env.CDK_VALIDATION ??= 'false';

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { ...packageEntries, '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 30_000,
  // The longest suites (the packed tarball's consumer projects, the sandbox end to end) mostly
  // wait on npm and on the sandbox's clock; three workers on two cores keep the others moving.
  maxWorkers: 3,
};
