/**
 * The HTML report of the real example audit, opened in headless Chromium (Debian `chromium`, see
 * global-setup.ts). One account of the example gets an SPN carrying a script payload; the page must
 * show the findings count, log no console error, never run the payload (with and without the CSP
 * meta tag: escaping alone must hold), and render a readable screenshot.
 *
 * SPNAUDIT_BROWSER_KEEP=1 keeps the pages and the screenshot and prints their folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HTML_CSP, renderHtml } from '../../src/report/html.js';
import { activeCounts } from '../../src/report/common.js';
import type { ReportAudit } from '../../src/report/types.js';
import { exampleAudit } from '../unit/report/real-audit.js';
import { Chromium, Page, processGroupAlive } from './chromium.js';
import { countColor, decodePng, distinctColors } from './png.js';

/** Sets a global and the title, by a script element and by an event handler attribute. */
const PAYLOAD = `HTTP/x"><script>window.spnauditInjected=1;document.title='pwned'</script><img src=x onerror="window.spnauditInjected=2;document.title='pwned'">`;
const HOSTILE_ACCOUNT = 'svc_hr';
const TITLE = 'SPN audit report: contoso.test';
const VIEWPORT = { width: 1280, height: 1000 };
const KEEP = process.env.SPNAUDIT_BROWSER_KEEP === '1';

const chromiumPath = inject('chromium');

describe.skipIf(!chromiumPath)('HTML report in headless Chromium', () => {
  let browser: Chromium | null = null;
  let page: Page;
  let dir: string;
  let audit: ReportAudit;
  const url = (name: string) => pathToFileURL(path.join(dir, name)).href;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-browser-'));
    const example = await exampleAudit((snapshot) => {
      const account = snapshot.accounts.find((a) => a.sAMAccountName === HOSTILE_ACCOUNT);
      if (!account) throw new Error(`the example snapshot has no ${HOSTILE_ACCOUNT}`);
      account.servicePrincipalNames.push(PAYLOAD);
    });
    audit = example.result;
    const html = renderHtml(audit, example.options);
    const csp = `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">\n`;
    expect(html).toContain(csp);
    writeFileSync(path.join(dir, 'report.html'), html);
    writeFileSync(path.join(dir, 'report-without-csp.html'), html.replace(csp, ''));
    // Controls: the same payload unescaped must be seen running (no CSP) or refused (CSP), or the checks below prove nothing.
    writeFileSync(path.join(dir, 'control-runs.html'), `<!DOCTYPE html><title>${TITLE}</title><p>${PAYLOAD}</p><script>console.error('control')</script>`);
    writeFileSync(path.join(dir, 'control-csp.html'), `<!DOCTYPE html><head>${csp}<title>${TITLE}</title></head><p>${PAYLOAD}</p>`);

    browser = await Chromium.launch(chromiumPath ?? '');
    page = await Page.open(browser, VIEWPORT);
  }, 120_000);

  afterAll(async () => {
    const pid = browser?.pid;
    await browser?.close();
    if (pid !== undefined) expect(processGroupAlive(pid), `chromium process group ${pid} still alive`).toBe(false);
    if (KEEP) process.stderr.write(`browser: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });

  const injected = () => page.evaluate<{ title: string; flag: unknown; scripts: number; images: number; payloadShown: boolean }>(
    `({ title: document.title, flag: window.spnauditInjected ?? null, scripts: document.scripts.length,
        images: document.images.length, payloadShown: document.body.textContent.includes(${JSON.stringify(PAYLOAD)}) })`,
  );

  it('the controls: an unescaped payload runs without CSP and is refused (logged) with it', async () => {
    await page.goto(url('control-runs.html'));
    await expect.poll(async () => (await injected()).flag).toBe(2);
    expect((await injected()).title).toBe('pwned');
    expect(page.errors).toContain('console.error: control');

    await page.goto(url('control-csp.html'));
    expect(await injected()).toMatchObject({ title: TITLE, flag: null });
    expect(page.errors.some((e) => e.includes('Content Security Policy'))).toBe(true);
  });

  it('renders the findings count', async () => {
    await page.goto(url('report.html'));
    const counts = activeCounts(audit.findings);
    const total = counts.error + counts.warning + counts.info;
    expect(total).toBeGreaterThan(50);
    const shown = await page.evaluate<{ count: string | null; text: string | null }>(
      `(() => { const e = document.getElementById('findings-total'); return { count: e && e.dataset.count, text: e && e.textContent }; })()`,
    );
    expect(shown).toEqual({ count: String(total), text: String(total) });
    const ruleSections = await page.evaluate<number>(`document.querySelectorAll('#findings section.rule').length`);
    expect(ruleSections).toBe(new Set(audit.findings.map((f) => f.ruleId)).size);
  });

  it.each([
    ['report.html', 'with the CSP meta tag'],
    ['report-without-csp.html', 'without it (escaping alone)'],
  ])('%s: no console error and the SPN payload did not run, %s', async (file) => {
    await page.goto(url(file));
    expect(await injected()).toEqual({ title: TITLE, flag: null, scripts: 0, images: 0, payloadShown: true });
    expect(page.errors).toEqual([]);
  });

  it('fits the page width: no table pushes the page into horizontal scrolling', async () => {
    await page.goto(url('report.html'));
    const widths = await page.evaluate<{ page: number; viewport: number; widest: string[] }>(
      `({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth,
          widest: [...document.querySelectorAll('table')].filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map((t) => t.rows[0].textContent) })`,
    );
    expect(widths.widest).toEqual([]);
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  });

  it('takes a screenshot that shows the report', async () => {
    await page.goto(url('report.html'));
    const png = await page.screenshotPng();
    const file = path.join(dir, 'report.png');
    writeFileSync(file, png);
    expect(png.length).toBeGreaterThan(30_000);
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    // Text, tables and the chart give many colours; a blank or failed page has a handful.
    expect(distinctColors(image)).toBeGreaterThan(100);
    // The severity bar chart sits in the first screen: each bar is a solid block of its colour.
    for (const fill of ['#c62828', '#b26a00', '#1565c0']) expect(countColor(image, fill), fill).toBeGreaterThan(500);
    expect(countColor(image, '#ffffff', 0)).toBeGreaterThan((image.width * image.height) / 3);
  });
});
