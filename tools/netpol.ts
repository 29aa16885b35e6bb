/**
 * Evaluates NetworkPolicy connectivity queries from a JSON or YAML file.
 *
 *   npm run --silent netpol -- <file> [--matrix]
 *
 * The file holds `{namespaces, pods, policies, queries}`. Output (stdout, JSON):
 *   default:    {"results": [{"allowed": bool, "explanation": [string, ...]}, ...]}   in query order
 *   --matrix:   {"matrix": {"pods": ["ns/name", ...], "ports": [{"port", "protocol"}, ...],
 *                           "allowed": [[[bool per port] per destination] per source]}}
 * The matrix covers all pods, over every (containerPort, protocol) the pods declare plus every
 * numeric query port (see collectMatrixPorts).
 * Exit codes: 0 success, 2 usage error, unreadable file or invalid document, 1 unexpected failure.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  NetpolInputError,
  NetworkPolicyEngine,
  collectMatrixPorts,
  formatNetpolIssues,
  parseNetpolInput,
} from '@kubecohort/grading';
import { parse as parseYaml } from 'yaml';

/** The CLI's only side effects, injectable so specs can run it in memory. */
export interface NetpolCliIo {
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
}

const USAGE = 'usage: npm run --silent netpol -- <file.json|file.yaml> [--matrix]';

export async function runNetpolCli(argv: readonly string[], io: NetpolCliIo): Promise<number> {
  const args = argv.filter((arg) => arg !== '--'); // tolerate an extra separator from npm run
  const flags = args.filter((arg) => arg.startsWith('-'));
  const files = args.filter((arg) => !arg.startsWith('-'));
  if (flags.includes('--help') || flags.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const unknown = flags.filter((flag) => flag !== '--matrix');
  if (unknown.length > 0 || files.length !== 1) {
    const problem =
      unknown.length > 0 ? `unknown option ${unknown.join(', ')}` : 'expected exactly one input file';
    io.stderr(`netpol: ${problem}\n${USAGE}\n`);
    return 2;
  }

  const path = resolve(io.cwd, files[0]!);
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    io.stderr(`netpol: cannot read ${path}: ${describeReadError(error)}\n`);
    return 2;
  }

  let document: unknown;
  try {
    document = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    io.stderr(
      `netpol: ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}\n`,
    );
    return 2;
  }

  const parsed = parseNetpolInput(document);
  if (!parsed.ok) {
    io.stderr(`netpol: invalid input in ${path}:\n${indent(formatNetpolIssues(parsed.issues))}\n`);
    return 2;
  }

  try {
    const engine = new NetworkPolicyEngine(parsed.input);
    const output = flags.includes('--matrix')
      ? { matrix: engine.buildMatrix(collectMatrixPorts(parsed.input.pods, parsed.input.queries)) }
      : { results: parsed.input.queries.map((query) => engine.evaluate(query)) };
    io.stdout(`${toJson(output)}\n`);
    return 0;
  } catch (error) {
    // The parser should have caught everything the engine rejects; report it the same way anyway.
    if (error instanceof NetpolInputError) {
      io.stderr(`netpol: invalid input in ${path}:\n${indent(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/**
 * Pretty JSON, except that arrays of booleans/numbers and objects of plain values stay on one line,
 * so a matrix row or a port reads as one line.
 */
function toJson(value: unknown, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => typeof item === 'boolean' || typeof item === 'number'))
      return JSON.stringify(value);
    return `[\n${value.map((item) => pad + toJson(item, depth + 1)).join(',\n')}\n${close}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    if (entries.every(([, item]) => item === null || typeof item !== 'object')) return JSON.stringify(value);
    return `{\n${entries.map(([key, item]) => `${pad}${JSON.stringify(key)}: ${toJson(item, depth + 1)}`).join(',\n')}\n${close}}`;
  }
  return JSON.stringify(value);
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntryPoint) {
  const io: NetpolCliIo = {
    readFile: (path) => readFile(path, 'utf8'),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // npm run switches to the package root; INIT_CWD is where the user actually typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
  runNetpolCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `netpol: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
