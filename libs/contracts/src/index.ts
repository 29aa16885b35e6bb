export * from './task-status.js';
