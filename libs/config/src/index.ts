export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export { env } from './env-types.js';
export { Clock } from './clock.js';
