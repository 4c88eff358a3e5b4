/** Loads the report fixtures and builds the annotated audit (suppressions + baseline) the goldens use. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../../src/config/file.js';
import type { RuleMeta } from '../../../src/analyze/types.js';
import type { AuditResult } from '../../../src/model/audit.js';
import { compareWithBaseline, parseBaseline } from '../../../src/report/baseline.js';
import { applySuppressions, parseSuppressions } from '../../../src/report/suppress.js';
import type { RenderOptions, ReportAudit } from '../../../src/report/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/reports/', import.meta.url));

export function readFixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export function loadAudit(name: 'example-audit.json' | 'example-audit-incomplete.json' | 'baseline-audit.json'): AuditResult {
  return JSON.parse(readFixture(name)) as AuditResult;
}

/** The moment the suppressions are evaluated at (the fixture audit's day). */
export const NOW = new Date('2026-11-20T09:00:00Z');

/** example-audit with suppress.yaml applied and compared with baseline-audit. */
export function annotatedAudit(): { result: ReportAudit; warnings: string[] } {
  const config = parseConfigText(readFixture('suppress.yaml'), 'suppress.yaml');
  const suppressed = applySuppressions(loadAudit('example-audit.json'), parseSuppressions(config), NOW);
  const baseline = parseBaseline(readFixture('baseline-audit.json'), 'baseline-audit.json');
  return { result: compareWithBaseline(suppressed.result, baseline).result, warnings: suppressed.warnings };
}

/** A small rule catalogue excerpt (the real one comes from src/rules) for rule reference/SARIF rules. */
export const RULES: RuleMeta[] = [
  { id: 'duplicate-spn', severity: 'error', category: 'kerberos', title: 'SPN registered on more than one account', why: 'The KDC cannot pick an account, so Kerberos fails and browsers fall back to NTLM.', docs: 'docs/rules.md#duplicate-spn', needsInventory: false },
  { id: 'spn-on-wrong-account', severity: 'error', category: 'kerberos', title: 'SPN held by an account that cannot decrypt the ticket', why: 'KRB_AP_ERR_MODIFIED: the ticket is encrypted for another key; users get 401.1.', docs: 'docs/rules.md#spn-on-wrong-account', needsInventory: true },
  { id: 'kernel-mode-needs-app-pool-credentials', severity: 'error', category: 'iis', title: 'Kernel-mode authentication without useAppPoolCredentials', why: 'Kernel mode decrypts with the computer account while the SPN is on the pool identity: 401.1.', docs: 'docs/rules.md#kernel-mode-needs-app-pool-credentials', needsInventory: true },
  { id: 'missing-spn', severity: 'warning', category: 'kerberos', title: 'No account holds the SPN browsers will request', why: 'The KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN and the browser silently uses NTLM.', docs: 'docs/rules.md#missing-spn', needsInventory: true },
  { id: 'kerberoastable-user', severity: 'warning', category: 'security', title: 'User account with SPNs is kerberoastable', why: 'Any domain user can request a ticket and crack the password offline.', docs: 'docs/rules.md#kerberoastable-user', needsInventory: false },
  { id: 'rc4-only', severity: 'warning', category: 'encryption', title: 'Account allows RC4 but no AES', why: 'RC4 tickets are weak and disabled by current hardening defaults.', docs: 'docs/rules.md#rc4-only', needsInventory: false },
  { id: 'loopback-check', severity: 'info', category: 'iis', title: 'Loopback check blocks local host names', why: 'Requests from the server itself to a host name other than the machine name get 401.1.', docs: 'docs/rules.md#loopback-check', needsInventory: true },
];

export const RENDER_OPTIONS: RenderOptions = {
  rules: RULES,
  spnHolders: [
    { account: 'CONTOSO\\svc_web', kind: 'user', enabled: true, spns: ['HTTP/intranet.contoso.test', 'HTTP/we`b.contoso.test:8080'] },
    { account: 'CONTOSO\\WEB01$', kind: 'computer', enabled: true, spns: ['HOST/WEB01', 'HOST/web01.contoso.test', 'HTTP/intranet.contoso.test'] },
    { account: 'CONTOSO\\svc_evil', kind: 'user', enabled: true, spns: ['HTTP/</script><script>alert(1)</script>', "=cmd|' /C calc'!A0"] },
  ],
  snapshotFile: 'snapshots/contoso-2026-11-20.json',
  informationUri: 'https://example.invalid/spnaudit',
  docsBaseUri: 'https://example.invalid/spnaudit/blob/main/',
};
