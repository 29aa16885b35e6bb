// Runs the repo's TypeScript in plain Node the way the tests do, for every benchmark and its child
// processes: swc with decorator metadata (which tsx/esbuild cannot emit and Nest's constructor
// injection needs), `@kubecohort/<lib>` aliases and `.js` import suffixes resolved to `.ts`.
// Usage: node --import ./bench/register.js file.ts
import { register } from 'node:module';

register('./swc-hooks.js', import.meta.url);
