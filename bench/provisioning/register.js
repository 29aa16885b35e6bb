// Runs the repo's TypeScript in plain Node the way the tests do (the grading benchmark's swc hooks:
// decorator metadata, `@kubecohort/<lib>` aliases, `.js` suffixes resolved to `.ts`).
// Usage: node --import ./bench/provisioning/register.js bench/provisioning/run.ts
import { register } from 'node:module';

register('../grading/swc-hooks.js', import.meta.url);
