import type { PodSelectorRef } from '../runtime/check-spec.types.js';

/**
 * The ingress-nginx controller's pod (the chart's default labels), where graders send requests
 * through the controller from: its own namespace has no policies, and a pod reaching its own
 * service is what a request from outside the cluster looks like to the backends.
 */
export const INGRESS_CONTROLLER_POD: PodSelectorRef = {
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/component': 'controller' },
};

/** Service ingress-nginx-controller, port 80, by its DNS name. */
export const INGRESS_CONTROLLER_URL = 'http://ingress-nginx-controller.ingress-nginx.svc.cluster.local';
