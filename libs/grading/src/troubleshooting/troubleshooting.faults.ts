import { createHash } from 'node:crypto';
import type { KubeObject } from '../runtime/cluster-probe.port.js';
import { troubleshootApp } from './troubleshoot-app.manifests.js';

/** The faults of the curriculum's TROUBLESHOOTING_FAULTS, by id (a spec keeps the two lists equal). */
export const TROUBLESHOOTING_FAULT_IDS = [
  'broken-selector',
  'wrong-target-port',
  'deny-all-policy',
  'dns-egress-blocked',
  'wrong-ingress-backend',
] as const;
export type TroubleshootingFaultId = (typeof TROUBLESHOOTING_FAULT_IDS)[number];

/** Incidents per student (troubleshooting-incident-1..3). */
export const TROUBLESHOOTING_INCIDENTS = 3;

/** `troubleshooting-incident-2` -> 2; undefined for any other task. */
export function troubleshootingIncidentOf(taskId: string): number | undefined {
  const match = /^troubleshooting-incident-(\d+)$/.exec(taskId);
  const incident = match ? Number(match[1]) : undefined;
  return incident !== undefined && incident >= 1 && incident <= TROUBLESHOOTING_INCIDENTS
    ? incident
    : undefined;
}

/**
 * The fault of a student's incident: the faults ordered by a hash of (student id, fault), so each
 * student gets a different fault in each incident, the same one every time the incident restarts,
 * and students do not all get the same sequence.
 */
export function faultFor(studentId: string, incident: number): TroubleshootingFaultId {
  if (!Number.isInteger(incident) || incident < 1 || incident > TROUBLESHOOTING_INCIDENTS)
    throw new RangeError(`no troubleshooting incident ${incident}`);
  const order = [...TROUBLESHOOTING_FAULT_IDS].sort((a, b) =>
    rank(studentId, a).localeCompare(rank(studentId, b)),
  );
  return order[incident - 1]!;
}

function rank(studentId: string, fault: string): string {
  return createHash('sha256').update(`${studentId}\u0000${fault}`).digest('hex');
}

type Json = Record<string, unknown>;

/** The spec of the app's object of a kind and name (throws when the app has none). */
function specOf<T = Json>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`the troubleshoot app has no ${kind} ${name}`);
  return found.spec as T;
}

/** The app's manifests with one fault in them, as the curriculum describes each fault. */
export function withFault(objects: readonly KubeObject[], fault: TroubleshootingFaultId): KubeObject[] {
  const broken = structuredClone(objects) as KubeObject[];
  switch (fault) {
    case 'broken-selector':
      specOf(broken, 'Service', 'web').selector = { app: 'web-v2' };
      break;
    case 'wrong-target-port':
      specOf<{ ports: Json[] }>(broken, 'Service', 'web').ports[0]!.targetPort = 8081;
      break;
    case 'deny-all-policy':
      for (const name of ['allow-client-to-web', 'allow-ingress-controller']) {
        const spec = specOf(broken, 'NetworkPolicy', name);
        delete spec.ingress;
        delete spec.egress;
      }
      break;
    case 'dns-egress-blocked':
      specOf<{ egress: Json[] }>(broken, 'NetworkPolicy', 'allow-dns').egress[0]!.ports = [
        { protocol: 'UDP', port: 5353 },
        { protocol: 'TCP', port: 5353 },
      ];
      break;
    case 'wrong-ingress-backend':
      specOf<{ rules: { http: { paths: { backend: { service: Json } }[] } }[] }>(
        broken,
        'Ingress',
        'web',
      ).rules[0]!.http.paths[0]!.backend.service.name = 'web-v2';
      break;
  }
  return broken;
}

/** What the worker applies to a student's vcluster when an incident starts (replacing namespace troubleshoot). */
export function troubleshootingManifests(
  studentId: string,
  incident: number,
): { fault: TroubleshootingFaultId; objects: KubeObject[] } {
  const fault = faultFor(studentId, incident);
  return { fault, objects: withFault(troubleshootApp(), fault) };
}
