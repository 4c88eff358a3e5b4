import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killRunningGroups, runMeasured, stats, textTable } from '../../../scripts/bench/measure.js';

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

describe('runMeasured', () => {
  it('runs a command to the end: exit code, output, not timed out', async () => {
    const sample = await runMeasured('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 60_000 });
    expect(sample).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('kills a command at its timeout, the process behind sh and GNU time too, and says so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-measure-'));
    try {
      const out = path.join(dir, 'out.txt');
      // With stdoutFile the command runs as sh -> (time ->) sleep; the sleep holds stderr open, so the
      // run only ends before 30 s when the kill reached it.
      const sample = await runMeasured('/bin/sh', ['-c', 'echo started; exec sleep 30'], { stdoutFile: out, timeoutMs: 300 });
      expect(sample.timedOut).toBe(true);
      expect(sample.code).not.toBe(0);
      expect(sample.wallMs).toBeGreaterThanOrEqual(300);
      expect(sample.wallMs).toBeLessThan(4_000);
      expect(readFileSync(out, 'utf8')).toBe('started\n');
      // GNU time was killed before it wrote anything: no peak, never a 0 in the statistics.
      expect(sample.peakRssBytes).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('killRunningGroups ends a command under a timeout before its timeout (what Ctrl-C and exit do)', async () => {
    const run = runMeasured('/bin/sh', ['-c', 'exec sleep 30'], { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    killRunningGroups();
    const sample = await run;
    expect(sample.timedOut).toBe(false);
    expect(sample.code).not.toBe(0);
    expect(sample.wallMs).toBeLessThan(4_000);
  });
});
