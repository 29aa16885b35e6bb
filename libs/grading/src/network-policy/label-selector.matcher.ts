import type { LabelSelector, LabelSelectorOperator, Labels } from './network-policy.types.js';

export type LabelMatcher = (labels: Labels) => boolean;

interface CompiledRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values: ReadonlySet<string>;
}

/**
 * Kubernetes label-selector semantics: every matchLabels pair and every matchExpressions
 * requirement must hold; an empty selector matches everything. Compiled once into a predicate
 * because the engine applies each selector to every pod.
 */
export function compileLabelSelector(selector: LabelSelector): LabelMatcher {
  const pairs = Object.entries(selector.matchLabels ?? {});
  const requirements: CompiledRequirement[] = (selector.matchExpressions ?? []).map((requirement) => ({
    key: requirement.key,
    operator: requirement.operator,
    values: new Set(requirement.values ?? []),
  }));
  if (pairs.length === 0 && requirements.length === 0) return () => true;
  return (labels) =>
    pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value) &&
    requirements.every((requirement) => matchesRequirement(requirement, labels));
}

export function matchesLabelSelector(selector: LabelSelector, labels: Labels): boolean {
  return compileLabelSelector(selector)(labels);
}

function matchesRequirement({ key, operator, values }: CompiledRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, key);
  switch (operator) {
    case 'In':
      return present && values.has(labels[key]!);
    case 'NotIn':
      // Upstream: NotIn also matches objects that lack the key entirely.
      return !present || !values.has(labels[key]!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}
