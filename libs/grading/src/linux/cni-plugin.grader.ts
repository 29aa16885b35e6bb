import type { CniAttachment, CniPluginSpec, GraderSpec, WorkbenchStep } from '../runtime/check-spec.types.js';
import { requireTools } from './linux-tools.steps.js';

/** The plugin and configuration exactly as the task's instructions state them. */
export const KC_CNI_PLUGIN: CniPluginSpec = {
  path: '/opt/cni/bin/kc-cni',
  cniPath: '/opt/cni/bin',
  config: {
    cniVersion: '1.0.0',
    name: 'kc-net',
    type: 'kc-cni',
    bridge: 'kc0',
    subnet: '10.244.50.0/24',
    gateway: '10.244.50.1',
  },
};

/**
 * Container ids look like a runtime's (64 hex digits) and differ in their first characters, so a
 * plugin naming host ends after a prefix of the id (as the task hints) gets distinct names.
 */
const attachment = (netns: string, containerId: string): CniAttachment => ({
  containerId,
  netns,
  netnsPath: `/var/run/netns/${netns}`,
  ifname: 'eth0',
});
export const CNI_ATTACHMENT_A = attachment(
  'kc-grade-a',
  '86fcfc9d13340d547ab4d90f07f70b4382e77dc5c3613593b617ec27663a506c',
);
export const CNI_ATTACHMENT_B = attachment(
  'kc-grade-b',
  '4cd0e6a49c1c44c5c6e2895bd69d69ea37d13f79c65802af23327c1aeb1d1708',
);
/** For the error cases, in kc-grade-b: a plugin that wrongly accepts them must not touch A or B. */
const CNI_ATTACHMENT_ERRORS = attachment(
  'kc-grade-b',
  '5fc2fe8111ff4797a7d7c29d03754ffe5995cb5248e8c9dc378456b048f387a6',
);

/** Best effort: whatever the plugin still holds for a container, from an earlier grading. */
function del(target: CniAttachment): WorkbenchStep {
  return {
    argv: [KC_CNI_PLUGIN.path],
    env: {
      CNI_COMMAND: 'DEL',
      CNI_CONTAINERID: target.containerId,
      CNI_NETNS: target.netnsPath,
      CNI_IFNAME: target.ifname,
      CNI_PATH: KC_CNI_PLUGIN.cniPath,
    },
    stdin: JSON.stringify(KC_CNI_PLUGIN.config),
    timeoutMs: 10_000,
  };
}

const GRADE_NAMESPACES = [CNI_ATTACHMENT_A.netns, CNI_ATTACHMENT_B.netns];
const ATTACHMENTS = [CNI_ATTACHMENT_A, CNI_ATTACHMENT_B, CNI_ATTACHMENT_ERRORS];

/**
 * phase-2-cni-plugin: plays the container runtime. Setup gives the plugin fresh namespaces (the
 * grader owns kc-grade-a and kc-grade-b: the task reserves them), the checks drive ADD, CHECK and
 * DEL, teardown releases and removes everything the grading created.
 */
export const CNI_PLUGIN_GRADER: GraderSpec = {
  taskId: 'phase-2-cni-plugin',
  graderId: 'phase-2-cni-plugin',
  timeoutMs: 180_000,
  checkTimeoutMs: 45_000,
  setup: [
    requireTools(['ip', 'ping', 'test']),
    ...ATTACHMENTS.map(del),
    ...GRADE_NAMESPACES.map((netns): WorkbenchStep => ({ argv: ['ip', 'netns', 'delete', netns] })),
    ...GRADE_NAMESPACES.map((netns): WorkbenchStep => ({
      argv: ['ip', 'netns', 'add', netns],
      mustSucceed: true,
    })),
  ],
  teardown: [
    ...ATTACHMENTS.map(del),
    ...GRADE_NAMESPACES.map((netns): WorkbenchStep => ({ argv: ['ip', 'netns', 'delete', netns] })),
  ],
  checks: [
    {
      id: 'cni-version',
      kind: 'linux.cni.version',
      title: '/opt/cni/bin/kc-cni is executable; VERSION lists 1.0.0',
      points: 2,
      failureMessage: 'VERSION must work',
      hint: 'With CNI_COMMAND=VERSION print {"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]} and exit 0.',
      plugin: KC_CNI_PLUGIN,
      expectVersion: '1.0.0',
    },
    {
      id: 'cni-add-a',
      kind: 'linux.cni.add',
      title: 'ADD into kc-grade-a exits 0 with a result whose address is in 10.244.50.0/24',
      points: 4,
      failureMessage: 'ADD into kc-grade-a must succeed with a valid result',
      hint: 'Run the ADD from the task yourself and pipe it to `jq .`; only the result may go to stdout, logs go to stderr.',
      plugin: KC_CNI_PLUGIN,
      attachment: CNI_ATTACHMENT_A,
      subnet: '10.244.50.0/24',
    },
    {
      id: 'cni-interface-a',
      kind: 'linux.cni.attachment',
      title: 'eth0 in kc-grade-a is up with that address and default via 10.244.50.1',
      points: 4,
      needs: ['cni-add-a'],
      failureMessage: 'ADD did not set up eth0 in kc-grade-a as its result says',
      hint: 'Name the container end after CNI_IFNAME; check with `ip netns exec kc-grade-a ip addr` and `ip netns exec kc-grade-a ip route`.',
      add: 'cni-add-a',
      gateway: '10.244.50.1',
    },
    {
      id: 'cni-host-end',
      kind: 'linux.cni.host-end',
      title: 'host end enslaved to kc0 (10.244.50.1/24); kc-grade-a pings 10.244.50.1',
      points: 3,
      needs: ['cni-interface-a'],
      failureMessage: 'The host end of eth0 must be up on kc0, and kc-grade-a must reach 10.244.50.1',
      hint: '`bridge link` lists the ports of kc0; kc0 itself needs 10.244.50.1/24 and must be up.',
      add: 'cni-add-a',
      bridge: 'kc0',
      bridgeAddress: '10.244.50.1/24',
      ping: '10.244.50.1',
    },
    {
      id: 'cni-add-b',
      kind: 'linux.cni.add',
      title: 'ADD into kc-grade-b gets a different address; kc-grade-a and kc-grade-b ping each other',
      points: 4,
      needs: ['cni-add-a'],
      failureMessage: 'A second ADD into kc-grade-b must get its own address and reach kc-grade-a',
      hint: 'Remember allocations on disk (e.g. /var/lib/cni/kc-net/<ip> holding the container id) and skip taken addresses.',
      plugin: KC_CNI_PLUGIN,
      attachment: CNI_ATTACHMENT_B,
      subnet: '10.244.50.0/24',
      distinctFrom: ['cni-add-a'],
      pingPeers: true,
    },
    {
      id: 'cni-check',
      kind: 'linux.cni.check',
      title: 'CHECK on kc-grade-a exits 0',
      points: 2,
      needs: ['cni-add-a'],
      failureMessage: 'CHECK on a healthy kc-grade-a must exit 0',
      hint: 'CHECK gets the ADD result as prevResult in the config on stdin: compare its address with the interface in CNI_NETNS.',
      add: 'cni-add-a',
    },
    {
      id: 'cni-del',
      kind: 'linux.cni.del',
      title: 'DEL on kc-grade-a exits 0 and removes eth0; a second DEL exits 0',
      points: 4,
      needs: ['cni-add-a'],
      failureMessage: 'DEL must remove the interface and succeed when repeated',
      hint: 'Delete the host-side veth (its peer goes with it) and release the address; do nothing, successfully, when it is already gone.',
      add: 'cni-add-a',
      times: 2,
    },
    {
      id: 'cni-errors',
      kind: 'linux.cni.errors',
      title: 'unknown CNI_COMMAND fails with JSON error code 4; cniVersion 9.9.9 fails with code 1',
      points: 2,
      failureMessage: 'Errors must be CNI error results',
      hint: 'Print {"cniVersion":"1.0.0","code":N,"msg":"..."} on stdout and exit non-zero: 4 for an unknown command, 1 for a cniVersion you do not support.',
      plugin: KC_CNI_PLUGIN,
      attachment: CNI_ATTACHMENT_ERRORS,
      cases: [
        { label: 'unknown CNI_COMMAND', command: 'FROBNICATE', expectCode: 4 },
        { label: 'cniVersion 9.9.9', command: 'ADD', cniVersion: '9.9.9', expectCode: 1 },
      ],
    },
  ],
};
