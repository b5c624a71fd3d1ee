/** The synthesized stack, read once: the cloud assembly, the intrinsic resolver, and every resource the sandbox runs. */
export * from './resolver.js';
export * from './synth.js';
export * from './stack.js';
export * from './coverage.js';
