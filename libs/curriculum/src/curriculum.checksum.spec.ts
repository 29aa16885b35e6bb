import { describe, expect, it } from '@jest/globals';
import { canonicalJson, curriculumChecksum } from './curriculum.checksum.js';
import type { CurriculumDefinition } from './curriculum.types.js';
import { CURRICULUM_V1 } from './curriculum.v1.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined properties like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });
});

describe('curriculumChecksum', () => {
  const copy = (): CurriculumDefinition => structuredClone(CURRICULUM_V1);

  it('is a sha256 hex digest, stable across copies', () => {
    expect(curriculumChecksum(CURRICULUM_V1)).toMatch(/^[0-9a-f]{64}$/);
    expect(curriculumChecksum(copy())).toBe(curriculumChecksum(CURRICULUM_V1));
  });

  it('does not depend on property order', () => {
    const reordered = copy();
    const [first] = reordered.phases;
    const { title, number, ...rest } = first!;
    reordered.phases[0] = { ...rest, title, number };
    expect(curriculumChecksum(reordered)).toBe(curriculumChecksum(CURRICULUM_V1));
  });

  it('changes when any content changes', () => {
    const changed = copy();
    changed.tasks[3]!.instructions += '\nOne more line.';
    expect(curriculumChecksum(changed)).not.toBe(curriculumChecksum(CURRICULUM_V1));
  });
});
