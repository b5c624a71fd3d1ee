export * from './units.js';
export * from './store.js';
export * from './statistics.js';
export * from './emf.js';
export * from './lambda.js';
export * from './produced.js';
