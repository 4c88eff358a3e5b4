/**
 * Golden files for every format. The fixtures carry a fixed generatedAt, so nothing in the compared
 * output depends on the clock. Regenerate with `-u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_EXTENSIONS, REPORT_FORMATS, renderReport } from '../../../src/report/index.js';
import { FIXTURES, RENDER_OPTIONS, annotatedAudit, loadAudit } from './fixtures.js';

const variants = [
  { name: 'example', audit: () => annotatedAudit().result, opts: RENDER_OPTIONS },
  { name: 'incomplete', audit: () => loadAudit('example-audit-incomplete.json'), opts: {} },
] as const;

describe('golden reports', () => {
  for (const variant of variants) {
    for (const format of REPORT_FORMATS) {
      it(`${variant.name}: ${format}`, async () => {
        const out = renderReport(format, variant.audit(), variant.opts);
        await expect(out).toMatchFileSnapshot(`${FIXTURES}golden/${variant.name}.${REPORT_EXTENSIONS[format]}`);
      });
    }
  }

  it('table with color and quiet variants', async () => {
    const audit = annotatedAudit().result;
    await expect(renderReport('table', audit, { color: true })).toMatchFileSnapshot(`${FIXTURES}golden/example.color.txt`);
    expect(renderReport('table', audit, { quiet: true })).toBe(
      'spnaudit 0.1.0: 4 errors, 6 warnings, 2 info (2 suppressed; 7 new, 1 resolved since baseline; 2 not checked)\n',
    );
  });

  it('is independent of the input order of findings and verdicts', () => {
    const audit = annotatedAudit().result;
    const shuffled = { ...audit, findings: [...audit.findings].reverse(), verdicts: [...audit.verdicts].reverse() };
    for (const format of REPORT_FORMATS) {
      expect(renderReport(format, shuffled, RENDER_OPTIONS), format).toBe(renderReport(format, audit, RENDER_OPTIONS));
    }
  });
});
