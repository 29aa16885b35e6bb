// Runs the repo's TypeScript in plain Node the way the tests do (swc, decorator metadata — which
// tsx/esbuild cannot emit and Nest's constructor injection needs), resolving `@kubecohort/<lib>`
// aliases and `.js` import suffixes to their `.ts` files. Usage: node --import ./bench/progress-matrix/register.js x.ts
import { register } from 'node:module';

register('./swc-hooks.js', import.meta.url);
