import { describe, expect, it } from '@jest/globals';
import { NetworkPolicyEngine, type ClusterPod, type NetworkPolicy } from '@kubecohort/grading';
import type { KubeObject } from '@kubecohort/kubernetes';
import { environmentNames } from './environment-names.js';
import { EnvironmentManifests, studentServerUrl, VCLUSTER_MANAGED_BY } from './environment.manifests.js';
import type { EnvironmentSizing, ProvisioningOptions } from './environments.options.js';
import { VclusterValuesTemplate } from './vcluster-values.template.js';

const SIZING: EnvironmentSizing = {
  quotaCpuMillis: 4000,
  quotaMemoryMib: 8192,
  quotaPods: 30,
  quotaStorageGib: 10,
  defaultCpuMillis: 500,
  defaultMemoryMib: 512,
  workbenchCpuMillis: 1000,
  workbenchMemoryMib: 1024,
};

const OPTIONS: ProvisioningOptions = {
  address: { mode: 'nodeport', nodeAddress: '203.0.113.7', ingressClass: 'nginx' },
  vcluster: {
    chartVersion: '0.28.0',
    helmRepository: { namespace: 'flux-system', name: 'vcluster' },
    valuesFile: 'deploy/vcluster/vcluster.yaml',
    probe: 'direct',
  },
  workbench: { image: 'nicolaka/netshoot:v0.13', runtimeClass: 'kata' },
  egress: { cidrs: ['0.0.0.0/0'], exceptCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  timing: { stepTimeoutMs: 60000, recheckMs: 1000 },
};

const template = VclusterValuesTemplate.load('deploy/vcluster/vcluster.yaml');
const ids = ['0198f3a2-7b4c-7d1e-9f00-00000000000a', '0198f3a2-7b4c-7d1e-9f00-00000000000b'];

function manifests(id: string, options: ProvisioningOptions = OPTIONS): EnvironmentManifests {
  return new EnvironmentManifests(
    { id, cohortId: 'cohort-1', userId: `user-${id.slice(-1)}` },
    environmentNames(id),
    SIZING,
    options,
    template,
  );
}

const spec = (o: KubeObject) => o.spec as Record<string, any>;

describe('environment manifests', () => {
  it('labels the vcluster namespace baseline and the workbench namespace privileged, with cohort and student', () => {
    const m = manifests(ids[0]!);
    expect(m.namespace().metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'kubecohort.dev/cohort': 'cohort-1',
      'kubecohort.dev/student': 'user-a',
      'kubecohort.dev/environment': ids[0],
    });
    expect(m.workbenchNamespace().metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'kubecohort.dev/role': 'workbench',
    });
  });

  it('sizes quota and limit range from config, and allows only the vcluster its node port', () => {
    const m = manifests(ids[0]!);
    expect(spec(m.resourceQuota()).hard).toMatchObject({
      'limits.cpu': '4000m',
      'requests.memory': '8192Mi',
      pods: '30',
      'services.nodeports': '1',
      'services.loadbalancers': '0',
    });
    expect(spec(m.limitRange()).limits[0]).toMatchObject({ default: { cpu: '500m', memory: '512Mi' } });
    expect(spec(m.workbenchQuota()).hard).toMatchObject({ 'limits.cpu': '1000m', pods: '1' });
  });

  it('installs the official chart as a Flux HelmRelease with versioned values', () => {
    const hr = manifests(ids[0]!).helmRelease();
    expect(hr.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(hr.metadata.annotations?.['kubecohort.dev/values-version']).toBe(template.version);
    expect(spec(hr).chart.spec).toEqual({
      chart: 'vcluster',
      version: '0.28.0',
      sourceRef: { kind: 'HelmRepository', name: 'vcluster', namespace: 'flux-system' },
    });
    expect(spec(hr).values.sync.toHost.networkPolicies.enabled).toBe(true);
    expect(spec(hr).values.controlPlane.service.spec.type).toBe('NodePort');
    expect(spec(hr).values.controlPlane.proxy.extraSANs).toEqual(['203.0.113.7']);
    const passthrough = manifests(ids[0]!, {
      ...OPTIONS,
      address: { mode: 'passthrough', passthroughDomain: 'vc.example.org', ingressClass: 'nginx' },
    }).helmRelease();
    expect(spec(passthrough).values.controlPlane.ingress).toMatchObject({
      enabled: true,
      host: `${environmentNames(ids[0]!).namespace}.vc.example.org`,
    });
  });

  it('runs the workbench with NET_ADMIN and SYS_ADMIN, no token, the RuntimeClass and limits', () => {
    const sts = manifests(ids[0]!).workbench();
    const pod = spec(sts).template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.runtimeClassName).toBe('kata');
    expect(pod.containers[0].securityContext).toEqual({
      privileged: false,
      capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] },
    });
    expect(pod.containers[0].resources.limits).toEqual({ cpu: '1000m', memory: '1024Mi' });
    const noRuntime = manifests(ids[0]!, { ...OPTIONS, workbench: { image: 'x' } }).workbench();
    expect(spec(noRuntime).template.spec.runtimeClassName).toBeUndefined();
    expect(spec(manifests(ids[0]!).workbenchNetworkPolicy())).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('computes the address students use for each mode', () => {
    const names = environmentNames(ids[0]!);
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'vcluster' },
      spec: { ports: [{ name: 'https', port: 443, nodePort: 31443 }] },
      status: { loadBalancer: { ingress: [{ ip: '198.51.100.4' }] } },
    };
    expect(studentServerUrl(OPTIONS.address, names, service)).toBe('https://203.0.113.7:31443');
    expect(
      studentServerUrl(OPTIONS.address, names, { ...service, spec: { ports: [{ port: 443 }] } }),
    ).toBeNull();
    expect(studentServerUrl({ mode: 'loadbalancer', ingressClass: 'x' }, names, service)).toBe(
      'https://198.51.100.4',
    );
    expect(studentServerUrl({ mode: 'loadbalancer', ingressClass: 'x' }, names, null)).toBeNull();
    expect(
      studentServerUrl(
        { mode: 'passthrough', passthroughDomain: 'vc.example.org', ingressClass: 'x' },
        names,
        null,
      ),
    ).toBe(`https://${names.namespace}.vc.example.org`);
    expect(studentServerUrl({ ...OPTIONS.address, nodeAddress: 'fd00::7' }, names, service)).toBe(
      'https://[fd00::7]:31443',
    );
  });
});

/** The policies' meaning, evaluated by the grading NetworkPolicy engine over two students' namespaces. */
describe('environment network policies', () => {
  const [a, b] = ids.map((id) => ({ id, m: manifests(id), ns: environmentNames(id).namespace })) as [
    { id: string; m: EnvironmentManifests; ns: string },
    { id: string; m: EnvironmentManifests; ns: string },
  ];
  let ip = 10;
  const pod = (namespace: string, name: string, labels: Record<string, string>): ClusterPod => ({
    namespace,
    name,
    labels,
    ip: `10.244.0.${ip++}`,
  });
  const workload = (namespace: string, name: string, extra: Record<string, string> = {}) =>
    pod(namespace, name, { [VCLUSTER_MANAGED_BY]: 'vcluster', ...extra });
  const pods = [
    pod(a.ns, 'vcluster-0', { app: 'vcluster', release: 'vcluster' }),
    workload(a.ns, 'web', { role: 'web' }),
    workload(a.ns, 'db', { role: 'db' }),
    workload(a.ns, 'api', { role: 'api' }),
    pod(b.ns, 'vcluster-0', { app: 'vcluster', release: 'vcluster' }),
    workload(b.ns, 'web', { role: 'web' }),
    pod(`${a.ns}-wb`, 'workbench-0', { app: 'workbench' }),
    pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
    pod('ingress-nginx', 'controller', { app: 'ingress-nginx' }),
  ];
  const asPolicy = (o: KubeObject) => o as unknown as NetworkPolicy;
  // What a student writes inside their vcluster, as vcluster syncs it to the host: only api may reach db.
  const studentPolicy: NetworkPolicy = {
    metadata: { name: 'db-from-api-x-default-x-vcluster', namespace: a.ns },
    spec: {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'api' } } }] }],
    },
  };
  const engine = new NetworkPolicyEngine({
    namespaces: [
      { name: a.ns, labels: a.m.namespace().metadata.labels },
      { name: b.ns, labels: b.m.namespace().metadata.labels },
      { name: `${a.ns}-wb`, labels: a.m.workbenchNamespace().metadata.labels },
      { name: 'kube-system' },
      { name: 'ingress-nginx' },
    ],
    pods,
    policies: [
      ...a.m.networkPolicies().map(asPolicy),
      ...b.m.networkPolicies().map(asPolicy),
      asPolicy(a.m.workbenchNetworkPolicy()),
      studentPolicy,
    ],
  });
  const allowed = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => {
    const ref = (key: string) => {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(key)) return { ip: key };
      const [namespace, name] = key.split('/') as [string, string];
      return { namespace, pod: name };
    };
    return engine.evaluate({ from: ref(from), to: ref(to), port, protocol }).allowed;
  };

  it('denies traffic between two students in both directions', () => {
    expect(allowed(`${b.ns}/web`, `${a.ns}/web`, 80)).toBe(false);
    expect(allowed(`${a.ns}/web`, `${b.ns}/web`, 80)).toBe(false);
    expect(allowed(`${b.ns}/web`, `${a.ns}/vcluster-0`, 8443)).toBe(false);
  });

  it("allows a student's workloads their own vcluster, each other, DNS and public egress", () => {
    expect(allowed(`${a.ns}/web`, `${a.ns}/vcluster-0`, 8443)).toBe(true);
    expect(allowed(`${a.ns}/web`, `${a.ns}/api`, 8080)).toBe(true);
    expect(allowed(`${a.ns}/web`, 'kube-system/coredns', 53, 'UDP')).toBe(true);
    expect(allowed(`${a.ns}/web`, '93.184.216.34', 443)).toBe(true);
    expect(allowed(`${a.ns}/web`, '10.96.0.10', 443)).toBe(false);
  });

  it("leaves the student's own NetworkPolicies in force", () => {
    expect(allowed(`${a.ns}/api`, `${a.ns}/db`, 5432)).toBe(true);
    expect(allowed(`${a.ns}/web`, `${a.ns}/db`, 5432)).toBe(false);
  });

  it('lets students and platform ingress reach the vcluster API, and the syncer reach the host API', () => {
    expect(allowed('198.51.100.20', `${a.ns}/vcluster-0`, 8443)).toBe(true);
    expect(allowed('ingress-nginx/controller', `${a.ns}/vcluster-0`, 8443)).toBe(true);
    expect(allowed('ingress-nginx/controller', `${a.ns}/vcluster-0`, 22)).toBe(false);
    expect(allowed(`${a.ns}/vcluster-0`, '172.18.0.2', 6443)).toBe(true);
  });

  it('cuts the workbench off in both directions', () => {
    expect(allowed(`${a.ns}-wb/workbench-0`, `${a.ns}/web`, 80)).toBe(false);
    expect(allowed(`${a.ns}-wb/workbench-0`, '93.184.216.34', 443)).toBe(false);
    expect(allowed(`${a.ns}/web`, `${a.ns}-wb/workbench-0`, 22)).toBe(false);
  });
});
