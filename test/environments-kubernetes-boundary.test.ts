import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Source files of the product (tests excluded: the fake API server's own tests use the client directly). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'generated'].includes(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name) && !/\.(spec|test)\.[a-z]+$/.test(entry.name)
      ? [path]
      : [];
  });
}

const CLIENT_IMPORT =
  /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]@kubernetes\/client-node(?:\/[^'"]*)?['"]/;

describe('the Kubernetes boundary', () => {
  it('imports @kubernetes/client-node in exactly one module, inside libs/kubernetes', () => {
    const roots = ['apps', 'libs', 'tools', 'bench'];
    const files = roots.flatMap((root) => sourceFiles(root));
    expect(files.length).toBeGreaterThan(100);
    const importers = files.filter((file) => CLIENT_IMPORT.test(readFileSync(file, 'utf8')));
    expect(importers).toEqual([join('libs', 'kubernetes', 'src', 'kube-client.ts')]);
  });

  it('recognises the import forms it is looking for', () => {
    for (const line of [
      "import { KubeConfig } from '@kubernetes/client-node';",
      'import * as k8s from "@kubernetes/client-node";',
      "export { Watch } from '@kubernetes/client-node';",
      "const k8s = await import('@kubernetes/client-node');",
      "import '@kubernetes/client-node/dist/config.js';",
    ])
      expect(CLIENT_IMPORT.test(line)).toBe(true);
    expect(CLIENT_IMPORT.test("import { KubeClients } from '@kubecohort/kubernetes';")).toBe(false);
  });
});
