import { z } from 'zod';
import { cidrContainsCidr, parseCidr, parseIp } from './ip-cidr.util.js';
import type { NetpolInputIssue } from './network-policy.errors.js';
import type { EndpointRef, NetpolInput } from './network-policy.types.js';

export type NetpolParseResult = { ok: true; input: NetpolInput } | { ok: false; issues: NetpolInputIssue[] };

/**
 * Validates an already-decoded JSON/YAML document (`{namespaces, pods, policies, queries}`) and
 * returns it typed, or every problem found with its field path. Structure is checked first; names
 * are cross-checked (declared namespaces, existing pods, unique names) only once it is sound.
 *
 * Policy objects may carry extra top-level and metadata fields (status, annotations, ...) as
 * `kubectl get -o yaml` emits them; inside `spec`, unknown fields are errors, because a typo such
 * as `podSelectr` would otherwise silently change the policy's meaning.
 */
export function parseNetpolInput(document: unknown): NetpolParseResult {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { ok: false, issues: [{ path: '(document)', message: DOCUMENT_SHAPE }] };
  }
  const parsed = documentSchema.safeParse(document, { error: describeTypeIssue });
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    };
  }
  const input: NetpolInput = parsed.data;
  const issues = crossCheck(input);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, input };
}

// --- Field schemas ----------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const namespaceName = z
  .string()
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS_LABEL, { error: 'must be a DNS label (lowercase letters, digits and "-")' });
const objectName = z
  .string()
  .max(253, { error: 'must be at most 253 characters' })
  .regex(DNS_SUBDOMAIN, { error: 'must be a DNS subdomain (lowercase letters, digits, "-" and ".")' });
const labels = z.record(
  z.string().min(1, { error: 'label keys must not be empty' }),
  z.string({ error: 'label values must be strings (quote numbers and booleans in YAML)' }),
);
const protocol = z.enum(['TCP', 'UDP', 'SCTP'], { error: 'must be TCP, UDP or SCTP' });
const portNumber = z
  .number({ error: 'must be a port number' })
  .int({ error: 'must be an integer port number' })
  .min(1, { error: 'must be between 1 and 65535' })
  .max(65535, { error: 'must be between 1 and 65535' });
/** IANA_SVC_NAME, as Kubernetes requires for named ports. */
const portName = z
  .string()
  .refine((name) => name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name), {
    error:
      'must be a port name: at most 15 lowercase letters, digits and "-", not starting or ending with "-"',
  })
  .refine((name) => /[a-z]/.test(name) && !name.includes('--'), {
    error: 'must be a port name: it needs a letter and must not contain "--"',
  });
// For a value of the right type, zod reports the matching branch's own (more precise) message.
const portNumberOrName = z.union([portNumber, portName], {
  error: (issue) =>
    issue.input === undefined ? 'is required' : 'must be a port number (1-65535) or a port name',
});
const ipAddress = z.string().refine((text) => parseIp(text) !== null, {
  error: 'must be an IPv4 or IPv6 address',
});

const labelSelectorRequirement = z
  .strictObject({
    key: z.string().min(1, { error: 'must not be empty' }),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], {
      error: 'must be In, NotIn, Exists or DoesNotExist',
    }),
    values: z.array(z.string()).optional(),
  })
  .superRefine((requirement, context) => {
    const count = requirement.values?.length ?? 0;
    const needsValues = requirement.operator === 'In' || requirement.operator === 'NotIn';
    if (needsValues && count === 0) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `must be non-empty for ${requirement.operator}`,
      });
    }
    if (!needsValues && count > 0) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `must be empty for ${requirement.operator}`,
      });
    }
  });

const labelSelector = z.strictObject({
  matchLabels: labels.optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
});

const ipBlock = z
  .strictObject({ cidr: z.string(), except: z.array(z.string()).optional() })
  .superRefine((block, context) => {
    const cidr = parseCidr(block.cidr);
    if (!cidr) {
      context.addIssue({
        code: 'custom',
        path: ['cidr'],
        message: 'must be a CIDR such as 10.0.0.0/16 or fd00::/64',
      });
    }
    (block.except ?? []).forEach((text, index) => {
      const except = parseCidr(text);
      if (!except) {
        context.addIssue({ code: 'custom', path: ['except', index], message: 'must be a CIDR' });
      } else if (cidr && !(cidrContainsCidr(cidr, except) && except.prefixLength > cidr.prefixLength)) {
        context.addIssue({
          code: 'custom',
          path: ['except', index],
          message: `must be a strict subset of cidr ${block.cidr}`,
        });
      }
    });
  });

const peer = z
  .strictObject({
    podSelector: labelSelector.optional(),
    namespaceSelector: labelSelector.optional(),
    ipBlock: ipBlock.optional(),
  })
  .superRefine((value, context) => {
    const hasSelector = value.podSelector !== undefined || value.namespaceSelector !== undefined;
    if (!hasSelector && value.ipBlock === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'must set podSelector and/or namespaceSelector, or ipBlock',
      });
    } else if (hasSelector && value.ipBlock !== undefined) {
      context.addIssue({
        code: 'custom',
        message: 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer',
      });
    }
  });

const policyPort = z
  .strictObject({
    protocol: protocol.optional(),
    port: portNumberOrName.optional(),
    endPort: portNumber.optional(),
  })
  .superRefine((value, context) => {
    if (value.endPort === undefined) return;
    if (typeof value.port !== 'number') {
      context.addIssue({ code: 'custom', path: ['endPort'], message: 'requires a numeric port' });
    } else if (value.endPort < value.port) {
      context.addIssue({
        code: 'custom',
        path: ['endPort'],
        message: `must be at least port (${value.port})`,
      });
    }
  });

const networkPolicy = z.object({
  apiVersion: z.literal('networking.k8s.io/v1', { error: 'must be networking.k8s.io/v1' }).optional(),
  kind: z.literal('NetworkPolicy', { error: 'must be NetworkPolicy' }).optional(),
  metadata: z.object({ name: objectName, namespace: namespaceName, labels: labels.optional() }),
  spec: z.strictObject({
    podSelector: labelSelector.optional(),
    policyTypes: z.array(z.enum(['Ingress', 'Egress'], { error: 'must be Ingress or Egress' })).optional(),
    ingress: z
      .array(z.strictObject({ ports: z.array(policyPort).optional(), from: z.array(peer).optional() }))
      .optional(),
    egress: z
      .array(z.strictObject({ ports: z.array(policyPort).optional(), to: z.array(peer).optional() }))
      .optional(),
  }),
});

const endpoint = z
  .strictObject({ namespace: z.string().optional(), pod: z.string().optional(), ip: ipAddress.optional() })
  .superRefine((value, context) => {
    const isPod = value.namespace !== undefined && value.pod !== undefined && value.ip === undefined;
    const isIp = value.ip !== undefined && value.namespace === undefined && value.pod === undefined;
    if (!isPod && !isIp) context.addIssue({ code: 'custom', message: 'must be {namespace, pod} or {ip}' });
  })
  .transform((value): EndpointRef =>
    value.ip !== undefined ? { ip: value.ip } : { namespace: value.namespace!, pod: value.pod! },
  );

const DOCUMENT_SHAPE = 'must be an object with namespaces, pods, policies and queries';

const documentSchema = z.strictObject({
  namespaces: z.array(z.strictObject({ name: namespaceName, labels: labels.default({}) })).default([]),
  pods: z
    .array(
      z.strictObject({
        namespace: namespaceName,
        name: objectName,
        labels: labels.default({}),
        ip: ipAddress.optional(),
        ports: z
          .array(
            z.strictObject({
              name: portName.optional(),
              containerPort: portNumber,
              protocol: protocol.default('TCP'),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  policies: z.array(networkPolicy).default([]),
  queries: z
    .array(
      z.strictObject({ from: endpoint, to: endpoint, port: portNumberOrName, protocol: protocol.optional() }),
    )
    .default([]),
});

// --- Cross-references -------------------------------------------------------------------------

function crossCheck(input: NetpolInput): NetpolInputIssue[] {
  const issues: NetpolInputIssue[] = [];
  const namespaces = new Map<string, number>();
  input.namespaces.forEach((namespace, index) => {
    const first = namespaces.get(namespace.name);
    if (first !== undefined) {
      issues.push({
        path: `namespaces[${index}].name`,
        message: `duplicate namespace "${namespace.name}" (also namespaces[${first}])`,
      });
    } else {
      namespaces.set(namespace.name, index);
    }
  });
  const requireNamespace = (name: string, path: string): void => {
    if (!namespaces.has(name))
      issues.push({ path, message: `namespace "${name}" is not declared in namespaces` });
  };

  const pods = new Map<string, { index: number; portNames: Map<string, number> }>();
  input.pods.forEach((pod, index) => {
    requireNamespace(pod.namespace, `pods[${index}].namespace`);
    const key = `${pod.namespace}/${pod.name}`;
    const portNames = new Map<string, number>();
    (pod.ports ?? []).forEach((port, portIndex) => {
      if (port.name === undefined) return;
      if (portNames.has(port.name)) {
        issues.push({
          path: `pods[${index}].ports[${portIndex}].name`,
          message: `duplicate port name "${port.name}" in pod ${key}`,
        });
      } else {
        portNames.set(port.name, portIndex);
      }
    });
    const first = pods.get(key);
    if (first !== undefined) {
      issues.push({ path: `pods[${index}]`, message: `duplicate pod ${key} (also pods[${first.index}])` });
    } else {
      pods.set(key, { index, portNames });
    }
  });

  const policies = new Map<string, number>();
  input.policies.forEach((policy, index) => {
    const { namespace, name } = policy.metadata;
    requireNamespace(namespace, `policies[${index}].metadata.namespace`);
    const key = `${namespace}/${name}`;
    const first = policies.get(key);
    if (first !== undefined) {
      issues.push({
        path: `policies[${index}].metadata`,
        message: `duplicate policy ${key} (also policies[${first}])`,
      });
    } else {
      policies.set(key, index);
    }
  });

  input.queries.forEach((query, index) => {
    for (const side of ['from', 'to'] as const) {
      const ref = query[side];
      if (!('ip' in ref) && !pods.has(`${ref.namespace}/${ref.pod}`)) {
        issues.push({
          path: `queries[${index}].${side}`,
          message: `unknown pod ${ref.namespace}/${ref.pod}`,
        });
      }
    }
    if (typeof query.port !== 'string') return;
    // A port name only means something on a destination pod that declares it.
    const path = `queries[${index}].port`;
    if ('ip' in query.to) {
      issues.push({ path, message: `port name "${query.port}" needs a pod destination, not an IP` });
      return;
    }
    const destinationKey = `${query.to.namespace}/${query.to.pod}`;
    const destination = pods.get(destinationKey);
    if (!destination) return;
    const portIndex = destination.portNames.get(query.port);
    const declared = portIndex === undefined ? undefined : input.pods[destination.index]?.ports?.[portIndex];
    if (!declared) {
      issues.push({ path, message: `pod ${destinationKey} has no container port named "${query.port}"` });
    } else if (query.protocol && query.protocol !== (declared.protocol ?? 'TCP')) {
      issues.push({
        path: `queries[${index}].protocol`,
        message: `pod ${destinationKey} port "${query.port}" is ${declared.protocol ?? 'TCP'}, not ${query.protocol}`,
      });
    }
  });
  return issues;
}

// --- Issue formatting -------------------------------------------------------------------------

/** `a.b[0].c`; the document itself is `(document)`. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : `${text === '' ? '' : '.'}${String(segment)}`;
  }
  return text === '' ? '(document)' : text;
}

/** Zod's generic type messages, reworded for people editing a YAML file. */
function describeTypeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  const expected = String(issue.expected);
  return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}
