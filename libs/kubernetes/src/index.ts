export { KubeClients } from './kube-client.js';
export { KubeconfigDocument, KubeconfigError } from './kubeconfig.document.js';
export { retryDelayMs, withRetry, type RetryPolicy } from './kube-retry.js';
export { KubernetesModule } from './kubernetes.module.js';
export { RequestRateLimiter } from './rate-limiter.js';
export {
  DEFAULT_KUBE_CLIENT_OPTIONS,
  ExecTransportError,
  isKubeApiError,
  isRetryable,
  KUBE_CLIENT_OPTIONS,
  KubeApiError,
  type ClusterRef,
  type CommandResult,
  type CommandRunner,
  type EphemeralContainerSpec,
  type ExecTarget,
  type KubeClient,
  type KubeClientOptions,
  type KubeError,
  type KubeErrorKind,
  type KubeMetadata,
  type KubeObject,
  type ListQuery,
  type ObjectRef,
  type ProxyResponse,
  type RunOptions,
  type WaitOptions,
} from './kube.types.js';
