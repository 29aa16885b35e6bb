import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runNetpolCli, type NetpolCliIo } from './netpol.js';

const YAML_INPUT = `
namespaces:
  - name: demo
    labels: { team: a }
  - name: other
pods:
  - { namespace: demo, name: api, labels: { app: api }, ip: 10.0.0.1, ports: [{ name: http, containerPort: 8080 }] }
  - { namespace: demo, name: db, labels: { app: db }, ip: 10.0.0.2, ports: [{ name: pg, containerPort: 5432 }] }
  - { namespace: other, name: client, labels: { app: client }, ip: 10.0.1.1 }
policies:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: allow-api, namespace: demo }
    spec:
      podSelector: { matchLabels: { app: db } }
      ingress:
        - from: [{ podSelector: { matchLabels: { app: api } } }]
          ports: [{ port: pg }]
queries:
  - { from: { namespace: demo, pod: api }, to: { namespace: demo, pod: db }, port: 5432 }
  - { from: { namespace: other, pod: client }, to: { namespace: demo, pod: db }, port: pg }
  - { from: { ip: 203.0.113.7 }, to: { namespace: demo, pod: api }, port: 53, protocol: UDP }
`;

/** Runs the CLI against in-memory files; returns exit code and captured output. */
interface CliResults {
  results: { allowed: boolean; explanation: string[] }[];
}

async function run(argv: string[], files: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: NetpolCliIo = {
    cwd: '/work',
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) {
        return Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));
      }
      return Promise.resolve(content);
    },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  };
  const code = await runNetpolCli(argv, io);
  return { code, stdout, stderr };
}

describe('netpol CLI', () => {
  it('prints {results: [{allowed, explanation}]} in query order for a YAML file', async () => {
    const { code, stdout, stderr } = await run(['input.yaml'], { '/work/input.yaml': YAML_INPUT });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const output = JSON.parse(stdout) as CliResults;
    expect(Object.keys(output)).toEqual(['results']);
    expect(output.results.map((result: { allowed: boolean }) => result.allowed)).toEqual([true, false, true]);
    for (const result of output.results) {
      expect(Object.keys(result)).toEqual(['allowed', 'explanation']);
      expect(result.explanation.every((line: unknown) => typeof line === 'string')).toBe(true);
    }
    expect(output.results[0]!.explanation).toContain(
      'ingress to demo/db allowed by policy demo/allow-api rule #0',
    );
    expect(output.results[1]!.explanation).toContain('ingress to demo/db: isolated by demo/allow-api');
  });

  it('reads JSON files as JSON', async () => {
    const document = {
      namespaces: [{ name: 'a' }],
      pods: [
        { namespace: 'a', name: 'x', ip: '10.0.0.1' },
        { namespace: 'a', name: 'y', ip: '10.0.0.2' },
      ],
      policies: [{ metadata: { name: 'deny', namespace: 'a' }, spec: { podSelector: {} } }],
      queries: [{ from: { namespace: 'a', pod: 'x' }, to: { namespace: 'a', pod: 'y' }, port: 80 }],
    };
    const { code, stdout } = await run(['/data/in.json'], { '/data/in.json': JSON.stringify(document) });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      results: [
        {
          allowed: false,
          explanation: [
            'a/x -> a/y on port 80/TCP: denied (ingress)',
            'egress from a/x: not isolated (no NetworkPolicy selects it for Egress)',
            'ingress to a/y: isolated by a/deny',
            'ingress to a/y denied: no ingress rule of a/deny admits traffic from a/x on port 80/TCP',
          ],
        },
      ],
    });
  });

  it('prints {matrix: {pods, ports, allowed}} with --matrix over declared and numeric query ports', async () => {
    const { code, stdout } = await run(['--matrix', 'input.yaml'], { '/work/input.yaml': YAML_INPUT });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      matrix: {
        pods: ['demo/api', 'demo/db', 'other/client'],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 5432, protocol: 'TCP' },
          { port: 8080, protocol: 'TCP' },
        ],
        // Only demo/db is isolated: it admits demo/api on pg (5432) and nothing else.
        allowed: [
          [
            [true, true, true],
            [false, true, false],
            [true, true, true],
          ],
          [
            [true, true, true],
            [true, true, true],
            [true, true, true],
          ],
          [
            [true, true, true],
            [false, false, false],
            [true, true, true],
          ],
        ],
      },
    });
  });

  it('exits 2 naming the field paths of an invalid document', async () => {
    const broken = YAML_INPUT.replace('port: pg }]', 'port: pg, endPort: 6000 }]').replace(
      'ip: 10.0.0.2',
      'ip: 10.0.0.300',
    );
    const { code, stdout, stderr } = await run(['input.yaml'], { '/work/input.yaml': broken });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain('netpol: invalid input in /work/input.yaml:');
    expect(stderr).toContain('pods[1].ip: must be an IPv4 or IPv6 address');
    expect(stderr).toContain('policies[0].spec.ingress[0].ports[0].endPort: requires a numeric port');
  });

  it('exits 2 on a missing file, unparsable content and bad usage', async () => {
    expect(await run(['missing.yaml'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'netpol: cannot read /work/missing.yaml: no such file\n',
    });

    const badYaml = await run(['bad.yaml'], { '/work/bad.yaml': 'pods: [unclosed' });
    expect(badYaml.code).toBe(2);
    expect(badYaml.stderr).toMatch(/^netpol: \/work\/bad\.yaml is not valid YAML: /);

    const badJson = await run(['bad.json'], { '/work/bad.json': '{"pods": ' });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/^netpol: \/work\/bad\.json is not valid JSON: /);

    for (const argv of [[], ['a.yaml', 'b.yaml'], ['--table', 'a.yaml']]) {
      const usage = await run(argv);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('usage: npm run --silent netpol -- <file.json|file.yaml> [--matrix]');
    }
  });
});

describe('netpol CLI as a process', () => {
  const directory = mkdtempSync(join(tmpdir(), 'netpol-cli-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  // tsx's own entry point, run with this very node binary, so the spec needs nothing on PATH.
  const runProcess = (...args: string[]) =>
    spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/netpol.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, INIT_CWD: directory },
    });

  it('prints results as JSON and exits 0', () => {
    writeFileSync(join(directory, 'input.yaml'), YAML_INPUT);
    const child = runProcess('input.yaml');
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    const output = JSON.parse(child.stdout) as CliResults;
    expect(output.results.map((result: { allowed: boolean }) => result.allowed)).toEqual([true, false, true]);
  });

  it('exits 2 with a message for a missing file', () => {
    const child = runProcess('nope.yaml');
    expect(child.status).toBe(2);
    expect(child.stderr).toBe(`netpol: cannot read ${join(directory, 'nope.yaml')}: no such file\n`);
  });
});
