export * from './types.js';
export * from './alarm-rule.js';
export * from './missing-data.js';
export * from './definitions.js';
export * from './evaluator.js';
export * from './template.js';
export * from './sns-message.js';
export * from './clock.js';
export { formatStateChangeTime } from './format.js';
