import { readFileSync } from 'node:fs';
import { isMap, parseDocument } from 'yaml';

export interface VclusterValuesVariables {
  serviceType: 'NodePort' | 'LoadBalancer' | 'ClusterIP';
  extraSANs: string[];
  ingressEnabled: boolean;
  ingressHost: string;
  ingressClass: string;
}

const VARIABLES: readonly (keyof VclusterValuesVariables)[] = [
  'serviceType',
  'extraSANs',
  'ingressEnabled',
  'ingressHost',
  'ingressClass',
];

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;
const VERSION = /^#\s*kubecohort-values-version:\s*(\d+)\s*$/m;

export class ValuesTemplateError extends Error {
  override readonly name = 'ValuesTemplateError';
}

/**
 * The versioned vcluster values template (deploy/vcluster/vcluster.yaml). Checked when loaded, so a
 * broken template stops the worker at boot instead of failing every student's environment.
 */
export class VclusterValuesTemplate {
  private constructor(
    readonly version: string,
    private readonly text: string,
  ) {}

  static load(path: string): VclusterValuesTemplate {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ValuesTemplateError(
        `cannot read the vcluster values template ${path}: ${(error as Error).message}`,
      );
    }
    return VclusterValuesTemplate.fromText(text, path);
  }

  static fromText(text: string, source = 'vcluster values template'): VclusterValuesTemplate {
    const version = VERSION.exec(text)?.[1];
    if (!version) throw new ValuesTemplateError(`${source}: needs a "# kubecohort-values-version: <n>" line`);
    const unknown = [...withoutComments(text).matchAll(PLACEHOLDER)]
      .map((match) => match[1]!)
      .filter((name) => !VARIABLES.includes(name as keyof VclusterValuesVariables));
    if (unknown.length > 0)
      throw new ValuesTemplateError(`${source}: unknown placeholder(s): ${[...new Set(unknown)].join(', ')}`);
    const template = new VclusterValuesTemplate(version, text);
    // Prove it renders to a mapping with harmless values.
    template.render({
      serviceType: 'ClusterIP',
      extraSANs: [],
      ingressEnabled: false,
      ingressHost: 'example.invalid',
      ingressClass: 'nginx',
    });
    return template;
  }

  render(variables: VclusterValuesVariables): Record<string, unknown> {
    // Comment lines stay as written (they may mention placeholders).
    const rendered = this.text
      .split('\n')
      .map((line) =>
        isComment(line)
          ? line
          : line.replace(PLACEHOLDER, (_match, name: string) =>
              JSON.stringify(variables[name as keyof VclusterValuesVariables]),
            ),
      )
      .join('\n');
    const doc = parseDocument(rendered, { prettyErrors: false });
    if (doc.errors.length > 0)
      throw new ValuesTemplateError(
        `vcluster values template does not render to YAML: ${doc.errors[0]!.message}`,
      );
    if (!isMap(doc.contents)) throw new ValuesTemplateError('vcluster values template must be a mapping');
    return doc.toJS() as Record<string, unknown>;
  }
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith('#');
}

function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !isComment(line))
    .join('\n');
}
