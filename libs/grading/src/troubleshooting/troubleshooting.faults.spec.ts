import { describe, expect, it } from '@jest/globals';
import { TROUBLESHOOTING_FAULTS } from '@kubecohort/curriculum';
import { troubleshootApp } from './troubleshoot-app.manifests.js';
import {
  faultFor,
  TROUBLESHOOTING_FAULT_IDS,
  troubleshootingManifests,
  withFault,
} from './troubleshooting.faults.js';

describe('troubleshooting faults', () => {
  it('are the faults the curriculum describes', () => {
    expect([...TROUBLESHOOTING_FAULT_IDS]).toEqual(TROUBLESHOOTING_FAULTS.map((fault) => fault.id));
  });

  it('give a student a different fault in each incident, the same one every time', () => {
    for (const student of ['0193a0c2-0000-7000-8000-000000000001', 'alice', 'bob']) {
      const faults = [1, 2, 3].map((incident) => faultFor(student, incident));
      expect(new Set(faults).size).toBe(3);
      expect([1, 2, 3].map((incident) => faultFor(student, incident))).toEqual(faults);
    }
    expect(() => faultFor('alice', 0)).toThrow(RangeError);
    expect(() => faultFor('alice', 4)).toThrow(RangeError);
  });

  it('spread over students: every fault comes up in every incident', () => {
    const students = Array.from({ length: 300 }, (_, index) => `student-${index}`);
    for (const incident of [1, 2, 3]) {
      const seen = new Set(students.map((student) => faultFor(student, incident)));
      expect([...seen].sort()).toEqual([...TROUBLESHOOTING_FAULT_IDS].sort());
    }
  });

  it.each(TROUBLESHOOTING_FAULT_IDS.map((fault) => [fault]))(
    '%s changes the app in one place and leaves the healthy manifests alone',
    (fault) => {
      const healthy = troubleshootApp();
      const broken = withFault(healthy, fault);
      expect(healthy).toEqual(troubleshootApp());
      const changed = broken
        .filter((object, index) => JSON.stringify(object) !== JSON.stringify(healthy[index]))
        .map((object) => `${object.kind}/${object.metadata.name}`);
      expect(changed).toEqual(
        {
          'broken-selector': ['Service/web'],
          'wrong-target-port': ['Service/web'],
          'deny-all-policy': ['NetworkPolicy/allow-client-to-web', 'NetworkPolicy/allow-ingress-controller'],
          'dns-egress-blocked': ['NetworkPolicy/allow-dns'],
          'wrong-ingress-backend': ['Ingress/web'],
        }[fault],
      );
    },
  );

  it("deploys the student's fault for the incident", () => {
    const { fault, objects } = troubleshootingManifests('alice', 2);
    expect(fault).toBe(faultFor('alice', 2));
    expect(objects).toEqual(withFault(troubleshootApp(), fault));
  });
});
