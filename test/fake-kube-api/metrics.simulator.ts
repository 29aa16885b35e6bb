/**
 * Prometheus metrics a vcluster's API server would expose, reached through the host API server's
 * service proxy (`/api/v1/namespaces/<ns>/services/https:<name>:443/proxy/metrics`). Tests bump
 * `apiserver_request_total` counters to simulate activity inside a student's vcluster.
 */

export interface RequestCounterLabels {
  verb?: string;
  resource?: string;
  code?: string | number;
  group?: string;
  version?: string;
  subresource?: string;
  scope?: string;
  component?: string;
  dry_run?: string;
}

const DEFAULT_LABELS: Record<string, string> = {
  code: '200',
  component: 'apiserver',
  dry_run: '',
  group: '',
  resource: '',
  scope: 'resource',
  subresource: '',
  verb: 'GET',
  version: 'v1',
};

function labelsKey(labels: RequestCounterLabels): string {
  const merged: Record<string, string> = { ...DEFAULT_LABELS };
  for (const [k, v] of Object.entries(labels)) if (v !== undefined) merged[k] = String(v);
  return Object.keys(merged)
    .sort()
    .map((k) => `${k}="${merged[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

export class VclusterMetrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly extra = new Map<string, string>();

  private series(namespace: string, service: string): Map<string, number> {
    const id = `${namespace}/${service}`;
    const found = this.counters.get(id) ?? new Map<string, number>();
    this.counters.set(id, found);
    return found;
  }

  /** Adds `by` to apiserver_request_total{labels} of the vcluster behind service <namespace>/<service>. */
  bump(namespace: string, service: string, labels: RequestCounterLabels = {}, by = 1): void {
    const s = this.series(namespace, service);
    const key = labelsKey(labels);
    s.set(key, (s.get(key) ?? 0) + by);
  }

  set(namespace: string, service: string, labels: RequestCounterLabels, value: number): void {
    this.series(namespace, service).set(labelsKey(labels), value);
  }

  /** Extra exposition text appended verbatim (other metric families a test needs). */
  setExtra(namespace: string, service: string, text: string): void {
    this.extra.set(`${namespace}/${service}`, text);
  }

  has(namespace: string, service: string): boolean {
    const id = `${namespace}/${service}`;
    return this.counters.has(id) || this.extra.has(id);
  }

  reset(): void {
    this.counters.clear();
    this.extra.clear();
  }

  render(namespace: string, service: string): string {
    const lines = [
      '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      '# TYPE apiserver_request_total counter',
    ];
    for (const [labels, value] of this.counters.get(`${namespace}/${service}`) ?? [])
      lines.push(`apiserver_request_total{${labels}} ${value}`);
    const extra = this.extra.get(`${namespace}/${service}`);
    return `${lines.join('\n')}\n${extra ? `${extra.trimEnd()}\n` : ''}`;
  }
}
