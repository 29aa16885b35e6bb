export * from './environments.js';
export * from './errors.js';
export * from './events.js';
export * from './pagination.js';
export * from './progress.js';
export * from './task-status.js';
