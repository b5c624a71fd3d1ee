import Sequencer from '@jest/test-sequencer';

/**
 * The suites that take minutes (the packed tarball's consumer projects, the demo end to end, the
 * packed sandbox) start first, so that no worker is left running one of them alone at the end. On a
 * clean clone Jest has no timings of its own to go by; with them, the rest follow its order.
 */
const FIRST = ['test/package/consumers.test.ts', 'test/sandbox/e2e.test.ts', 'test/package/sandbox.test.ts'];

export default class SlowFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const index = FIRST.findIndex((path) => test.path.endsWith(path));
      return index < 0 ? FIRST.length : index;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}
