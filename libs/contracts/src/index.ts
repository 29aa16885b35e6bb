export * from './errors.js';
export * from './events.js';
export * from './pagination.js';
export * from './task-status.js';
