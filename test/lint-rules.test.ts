import { describe, expect, it, jest } from '@jest/globals';
import { ESLint } from 'eslint';
import { rmSync, writeFileSync } from 'node:fs';

// The first type-aware lint builds the project's TypeScript program: slow on a loaded machine.
jest.setTimeout(300_000);

/** The layering rules are only worth having if they fire: lint real snippets at real paths. */
describe('lint rules guard the monorepo layout', () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  // Type-aware linting needs a real file inside the project: write a probe, lint it, remove it.
  const messages = async (code: string, dir: string) => {
    const filePath = `${dir}/__lint_probe_${process.pid}_${Math.random().toString(36).slice(2)}.ts`;
    writeFileSync(filePath, code);
    try {
      const [result] = await eslint.lintFiles([filePath]);
      return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
    } finally {
      rmSync(filePath, { force: true });
    }
  };

  it('bans deep imports into a lib', async () => {
    const found = await messages(
      "import { x } from '@kubecohort/auth/src/token-hash.js';\nexport const y = x;\n",
      'apps/api/src',
    );
    expect(found.join('\n')).toMatch(/no-restricted-imports: .*through its alias/);
    const relative = await messages(
      "import { x } from '../../../libs/auth/src/token-hash.js';\nexport const y = x;\n",
      'apps/api/src',
    );
    expect(relative.join('\n')).toMatch(/no-restricted-imports/);
  });

  it('bans imports from apps into libs', async () => {
    const found = await messages(
      "import { x } from '../../../apps/api/src/main.js';\nexport const y = x;\n",
      'libs/auth/src',
    );
    expect(found.join('\n')).toMatch(/Libs must not import from apps/);
  });

  it('reports floating promises', async () => {
    const found = await messages(
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
      'libs/auth/src',
    );
    expect(found.join('\n')).toMatch(/no-floating-promises/);
  });

  it('accepts an import through the alias', async () => {
    const found = await messages(
      "import { sha256 } from '@kubecohort/auth';\nexport const y = sha256('a');\n",
      'apps/api/src',
    );
    expect(found).toEqual([]);
  });
});
