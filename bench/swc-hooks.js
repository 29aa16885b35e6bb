import { transformSync } from '@swc/core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { swcOptions } from '../tools/swc-options.js';

const root = resolvePath(dirname(fileURLToPath(import.meta.url)), '..');
// No source maps: keeps the measured processes' memory free of inline maps.
const options = { ...swcOptions, sourceMaps: false };

export async function resolve(specifier, context, next) {
  const alias = /^@kubecohort\/([a-z-]+)$/.exec(specifier);
  if (alias)
    return {
      url: pathToFileURL(resolvePath(root, 'libs', alias[1], 'src/index.ts')).href,
      shortCircuit: true,
    };
  if (
    (specifier.startsWith('.') || specifier.startsWith('/')) &&
    specifier.endsWith('.js') &&
    context.parentURL?.startsWith('file:')
  ) {
    const candidate = resolvePath(dirname(fileURLToPath(context.parentURL)), specifier);
    if (!existsSync(candidate) && existsSync(candidate.slice(0, -3) + '.ts')) {
      return { url: pathToFileURL(candidate.slice(0, -3) + '.ts').href, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/'))
    return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(await readFile(filename, 'utf8'), { ...options, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
