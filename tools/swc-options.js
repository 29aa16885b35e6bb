// How the repo's TypeScript is compiled where it runs without a build: Jest (@swc/jest, see
// jest.config.js) and the benchmarks' loader (bench/swc-hooks.js). Decorator metadata is what
// Nest's constructor injection needs (tsx/esbuild cannot emit it); callers add their sourceMaps.
export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
};
