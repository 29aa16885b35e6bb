import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';

/** The README's variable table is the operator's reference: it must name every variable we read. */
describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('documents every environment variable the apps validate', () => {
    const sources = [
      ...readdirSync('apps', { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) =>
          readdirSync(`apps/${entry.name}/src`)
            .filter((file) => file.endsWith('.config.ts'))
            .map((file) => `apps/${entry.name}/src/${file}`),
        ),
      'apps/api/src/seed.ts',
    ];
    const variables = new Set<string>();
    for (const file of sources) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm))
        variables.add(match[1]!);
    }
    expect(variables.size).toBeGreaterThan(15);
    const missing = [...variables].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('has exactly the two set-up commands', () => {
    expect(readme).toMatch(/scripts\/start\s+#/);
    expect(readme).toMatch(/scripts\/test\s+#/);
  });
});
