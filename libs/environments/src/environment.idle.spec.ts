import { describe, expect, it } from '@jest/globals';
import { requestTotal } from './environment.idle.js';

describe('requestTotal', () => {
  const exposition = [
    '# HELP apiserver_request_total Counter of apiserver requests.',
    '# TYPE apiserver_request_total counter',
    'apiserver_request_total{code="200",component="apiserver",resource="pods",verb="LIST"} 12',
    'apiserver_request_total{code="201",resource="deployments",group="apps",verb="POST"} 3',
    'apiserver_request_total{code="200",resource="leases",verb="PUT"} 900',
    'apiserver_request_total{code="200",resource="",verb="GET"} 4000',
    'apiserver_request_total{code="200",resource="events",verb="POST"} 7 1700000000000',
    'apiserver_request_duration_seconds_count{resource="pods"} 99',
    'apiserver_request_total{code="200",resource="configmaps",verb="GET"} 1e1',
  ].join('\n');

  it('sums requests about resources, leaving out non-resource paths and ignored resources', () => {
    expect(requestTotal(exposition, ['leases', 'events'])).toBe(25n);
    expect(requestTotal(exposition, [])).toBe(932n);
  });

  it('reads escaped label values and an empty exposition', () => {
    expect(requestTotal('apiserver_request_total{resource="pods",x="a\\"b"} 5\n', [])).toBe(5n);
    expect(requestTotal('', [])).toBe(0n);
  });
});
