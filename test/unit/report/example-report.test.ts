/**
 * The committed example reports (examples/report.html, examples/report.md) are the example audit as
 * `spnaudit audit` writes them on a fixed date. This fails when they are stale; regenerate with
 * `npx vitest run --project unit test/unit/report/example-report.test.ts -u` (see docs/reports.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { renderReport } from '../../../src/report/index.js';
import { EXAMPLE_CONFIG, EXAMPLE_GENERATED_AT, EXAMPLE_SNAPSHOT, REPO_ROOT, exampleAudit } from './real-audit.js';

const EXAMPLES = [
  ['html', 'examples/report.html'],
  ['markdown', 'examples/report.md'],
] as const;

const REGENERATE = 'stale example report: regenerate with `npx vitest run --project unit test/unit/report/example-report.test.ts -u` and commit it';

describe('committed example reports', () => {
  it.each(EXAMPLES)('%s is up to date (%s)', async (format, file) => {
    const { result, options } = await exampleAudit();
    await expect(renderReport(format, result, options)).toMatchFileSnapshot(path.join(REPO_ROOT, file), REGENERATE);
  });
});

describe('the example reports are what `spnaudit audit` writes', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-example-'));
  const exitCode = process.exitCode;
  afterEach(() => {
    vi.useRealTimers();
    process.exitCode = exitCode;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the CLI on the same date writes byte-identical files', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: EXAMPLE_GENERATED_AT });
    const out = (name: string) => path.join(tmp, name);
    const argv = ['audit', '--snapshot', EXAMPLE_SNAPSHOT, '--config', EXAMPLE_CONFIG, '--fail-on', 'never', '--format', 'json', '--output', out('report.json')];
    for (const [format, file] of EXAMPLES) argv.push('--report', `${format}=${out(path.basename(file))}`);
    await buildProgram().parseAsync(argv, { from: 'user' });
    expect(process.exitCode).toBe(0);
    for (const [, file] of EXAMPLES) {
      expect(readFileSync(out(path.basename(file)), 'utf8'), file).toBe(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    }
  });
});
