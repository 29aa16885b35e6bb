import type { CheckSpec, JsonValue, PodSelectorRef } from './check-spec.types.js';

/** `{app: 'web'}` -> `['app=web']`: labels as the instructions write them. */
function labelTexts(labels: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(labels ?? {}).map(([key, value]) => `${key}=${value}`);
}

function podValues(ref: PodSelectorRef): string[] {
  return [ref.namespace, ...(ref.name ? [ref.name] : []), ...labelTexts(ref.labels)];
}

/** A service's DNS name (`a.b`, `a.b.svc.cluster.local`) by its parts: service and namespace. */
function hostValues(hostname: string): string[] {
  if (hostname === 'localhost' || hostname.includes('{')) return [];
  const service = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(hostname);
  return service ? [service[1]!, service[2]!] : [hostname];
}

function urlValues(url: string): string[] {
  const parsed = new URL(url.replace('{podIP}', '192.0.2.1'));
  return [
    ...hostValues(url.includes('{podIP}') ? '{podIP}' : parsed.hostname),
    ...(parsed.port ? [parsed.port] : []),
    ...(parsed.pathname === '/' ? [] : [parsed.pathname]),
  ];
}

/**
 * What an expected field value promises: labels as `key=value` (a `labels.<key>` path or a
 * selector map), numbers (ports, replicas) and words (`ClusterIP`, `None`, `agnhost`, `Ingress`).
 */
function fieldValues(path: string, value: JsonValue | undefined): string[] {
  if (value === undefined || value === null || typeof value === 'boolean') return [];
  const label = /(?:^|\.)(?:labels|matchLabels|selector)\.([^.]+)$/.exec(path);
  if (label && typeof value === 'string') return [`${label[1]}=${value}`];
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((each) => fieldValues(path, each));
  if (/(labels|matchLabels|selector)$/.test(path)) return labelTexts(value as Record<string, string>);
  return Object.entries(value).flatMap(([key, each]) => fieldValues(`${path}.${key}`, each));
}

/**
 * Every name, namespace, label, port, host, path and address a check relies on: each must be
 * promised to the student, verbatim, in the task's instructions. Not listed: regular expressions
 * (`matches`), whatever the grader itself creates (CNI container ids, the versions its error cases
 * send) and stand-ins chosen by the grader that the instructions describe in words.
 */
export function promisedValues(check: CheckSpec): string[] {
  switch (check.kind) {
    case 'k8s.object':
      return [
        ...(check.object.namespace ? [check.object.namespace] : []),
        check.object.name,
        // What the cluster reports (status) is observed, not promised.
        ...(check.fields ?? [])
          .filter((field) => !field.path.startsWith('status.'))
          .flatMap((field) => fieldValues(field.path, field.equals)),
      ];
    case 'k8s.pods-ready':
      return [check.namespace, ...labelTexts(check.labels)];
    case 'k8s.service-endpoints':
      return [check.namespace, check.service];
    case 'k8s.dns':
      return [
        ...podValues(check.from),
        ...hostValues(check.name),
        ...(check.expectServiceIp ? [check.expectServiceIp.namespace, check.expectServiceIp.name] : []),
        ...(check.expectPodAddresses
          ? [check.expectPodAddresses.namespace, ...labelTexts(check.expectPodAddresses.labels)]
          : []),
      ];
    case 'k8s.http':
      return [
        ...podValues(check.from),
        ...(check.to ? podValues(check.to) : []),
        ...urlValues(check.url),
        ...Object.entries(check.headers ?? {}).flatMap(([name, value]) =>
          name.toLowerCase() === 'host' ? [value] : [],
        ),
      ];
    case 'k8s.connectivity':
      return [
        ...podValues(check.from),
        ...('pod' in check.to
          ? podValues(check.to.pod)
          : 'service' in check.to
            ? [check.to.service.namespace, check.to.service.name]
            : hostValues(check.to.host)),
        String(check.port),
      ];
    case 'k8s.connectivity-matrix':
      return [...check.pods.flatMap(podValues), ...check.ports.map((port) => String(port.port))];
    case 'k8s.ingress-route':
      return [
        check.namespace,
        check.host,
        check.path,
        check.service.name,
        String(check.service.port),
        ...(check.probe ? [...podValues(check.probe.from), ...urlValues(check.probe.url)] : []),
      ];
    case 'k8s.policy-verdict':
      return [
        check.from.namespace,
        ...labelTexts(check.from.labels),
        ...check.flows.flatMap((flow) => [
          ...('service' in flow.to
            ? [flow.to.service.namespace, flow.to.service.name]
            : [flow.to.pods.namespace, ...labelTexts(flow.to.pods.labels)]),
          String(flow.port),
        ]),
      ];
    case 'linux.netns':
      return check.namespaces;
    case 'linux.interfaces':
      return check.interfaces.flatMap((link) => [
        ...(link.netns ? [link.netns] : []),
        link.name,
        ...(link.addresses ?? []),
        ...(link.master ? [link.master] : []),
      ]);
    case 'linux.veth-pair':
      return check.ends.flatMap((end) => [...(end.netns ? [end.netns] : []), end.name]);
    case 'linux.routes':
      return check.routes.flatMap((route) => [
        ...(route.netns ? [route.netns] : []),
        ...(route.destination === 'default' ? [] : [route.destination]),
        route.via,
      ]);
    case 'linux.sysctl':
      return [...(check.netns ? [check.netns] : []), check.key];
    case 'linux.ping':
      return check.pings.flatMap((ping) => [...(ping.from ? [ping.from] : []), ping.to]);
    case 'linux.tcp':
      return check.connections.flatMap(({ server, client }) => [
        ...(server.netns ? [server.netns] : []),
        ...(client.netns ? [client.netns] : []),
        server.address,
        String(server.port),
      ]);
    case 'linux.cni.version':
      return [check.plugin.path, check.expectVersion];
    case 'linux.cni.add':
      return [check.plugin.path, check.attachment.netns, check.attachment.ifname, check.subnet];
    case 'linux.cni.attachment':
      return [check.gateway];
    case 'linux.cni.host-end':
      return [check.bridge, check.bridgeAddress, check.ping];
    case 'linux.cni.errors':
      return [check.attachment.netns];
    case 'linux.cni.check':
    case 'linux.cni.del':
      return []; // they act on what cni.add set up
  }
}
