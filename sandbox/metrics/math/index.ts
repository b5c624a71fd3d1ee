/** CloudWatch metric math, shared by the alarm evaluator and the console's graphs. */
export * from './expression.js';
