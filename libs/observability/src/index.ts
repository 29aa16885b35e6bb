export { HealthServer } from './health-server.js';
export { HealthService, type ReadinessProbe, type ReadinessReport } from './health.service.js';
export { pinoParams, REDACTED_PATHS, type LoggingOptions } from './logger.js';
export { Metrics } from './metrics.js';
export { closeOnSignal } from './graceful-shutdown.js';
