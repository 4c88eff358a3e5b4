import { describe, expect, it } from 'vitest';
import { stats, textTable } from '../../../scripts/bench/measure.js';

describe('stats', () => {
  it.each([
    [[5], { median: 5, min: 5, max: 5, spread: 0 }],
    [[3, 1, 2], { median: 2, min: 1, max: 3, spread: 1 }],
    [[4, 1, 3, 2], { median: 2.5, min: 1, max: 4, spread: 1.2 }],
    [[10, 10, 12], { median: 10, min: 10, max: 12, spread: 0.2 }],
  ])('%j', (samples, expected) => {
    expect(stats(samples)).toMatchObject({ runs: samples.length, ...expected, samples });
  });

  it('refuses an empty run list', () => {
    expect(() => stats([])).toThrow('no samples');
  });
});

describe('textTable', () => {
  it('left-aligns the first column, right-aligns the rest, under a rule', () => {
    expect(textTable([['size', 'time'], ['10k', '1.5 s'], ['1M', '12.0 s']])).toBe(['size    time', '----  ------', '10k    1.5 s', '1M    12.0 s'].join('\n'));
  });
});
