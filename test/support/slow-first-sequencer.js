/* global module, require */
// Runs the longest suites first. With two workers the run ends when the last suite does: a long
// suite started late (Jest orders by file size when it has no timings, as on a fresh CI clone)
// finishes alone while the other worker idles. Measured on a fresh clone: these take 30 to 130 s
// (calm-alerts mostly waits for its maintenance windows to open and close).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST = [
  'test/faults/exactly-once.test.ts',
  'test/e2e/calm-alerts.test.ts',
  'test/faults/channel-faults.test.ts',
  'test/e2e/local-stack.test.ts',
  'test/integration/template.test.ts',
  'test/e2e/local-stack-signals.test.ts',
  'test/integration/api.test.ts',
  'test/e2e/canary.test.ts',
  'test/e2e/heartbeats.test.ts',
  'test/integration/bench.test.ts',
];

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const rank = (test) => {
      const index = LONGEST.findIndex((suffix) => test.path.replaceAll('\\', '/').endsWith(suffix));
      return index < 0 ? LONGEST.length : index;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
