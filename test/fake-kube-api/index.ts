/**
 * Fake Kubernetes API server for tests. Start it, load `server.kubeconfig()` into a
 * @kubernetes/client-node KubeConfig, and use the real clients against it. See README.md.
 */
export { FakeKubeApiServer, type RequestFilter, type SeedObject } from './fake-kube-api.server.js';
export {
  DEFAULT_CONTROLLER_OPTIONS,
  HELM_FINALIZER,
  vclusterKubeconfig,
  type ClusterController,
} from './cluster.controller.js';
export type { FaultHandle, FaultInjector, FaultSpec } from './fault.injector.js';
export type { RequestCounterLabels, VclusterMetrics } from './metrics.simulator.js';
export type { ObjectStore, StoreEvent, WatchEventType } from './object.store.js';
export type * from './fake-kube-api.types.js';
