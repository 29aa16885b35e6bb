export interface NetpolInputIssue {
  /** Where in the input document, e.g. `policies[0].spec.ingress[1].from[0].ipBlock.cidr`. */
  path: string;
  message: string;
}

/** Thrown for input the engine cannot interpret (parseNetpolInput reports the same problems as issues). */
export class NetpolInputError extends Error {
  constructor(readonly issues: NetpolInputIssue[]) {
    super(formatNetpolIssues(issues));
    this.name = 'NetpolInputError';
  }
}

/** One line per issue, `path: message`. */
export function formatNetpolIssues(issues: readonly NetpolInputIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('\n');
}
