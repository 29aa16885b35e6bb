import type { WorkbenchStep } from '../runtime/check-spec.types.js';

/**
 * A setup step that stops the grading as an infrastructure error when the workbench image lacks a
 * tool the checks run: the student did nothing wrong, the environment did.
 */
export function requireTools(tools: string[]): WorkbenchStep {
  return {
    argv: [
      'sh',
      '-c',
      'for tool in "$@"; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done',
      'require-tools',
      ...tools,
    ],
    mustSucceed: true,
    timeoutMs: 5000,
  };
}
