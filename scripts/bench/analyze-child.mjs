// One analysis measurement in a fresh process, so its peak RSS is this size's alone.
// Imports the BUILT code (dist/), which is what `spnaudit audit` runs; prints one JSON line.
//   node scripts/bench/analyze-child.mjs SNAPSHOT.json INVENTORY.yaml [render]
import { performance } from 'node:perf_hooks';

const [snapshotFile, inventoryFile, mode] = process.argv.slice(2);
const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);

const { readSnapshot } = await load('directory/snapshot-io.js');
const { loadConfigFile } = await load('config/file.js');
const { loadInventory } = await load('iis/index.js');
const { runAudit } = await load('analyze/audit.js');

const ms = (t0) => performance.now() - t0;
const out = { accounts: 0, findings: 0, byRule: {}, readSnapshotMs: 0, loadInventoryMs: 0, auditMs: 0, renderMs: {}, renderBytes: {} };

let t = performance.now();
const snapshot = await readSnapshot(snapshotFile);
out.readSnapshotMs = ms(t);
out.accounts = snapshot.accounts.length;

t = performance.now();
const inventory = await loadInventory({ iisPaths: [], config: await loadConfigFile(inventoryFile) });
out.loadInventoryMs = ms(t);

t = performance.now();
const result = runAudit(snapshot, inventory, { generatedAt: new Date('2026-06-02T00:00:00Z') });
out.auditMs = ms(t);
out.findings = result.findings.length;
for (const f of result.findings) out.byRule[f.ruleId] = (out.byRule[f.ruleId] ?? 0) + 1;

if (mode === 'render') {
  const { renderReport, REPORT_FORMATS } = await load('report/index.js');
  const { ruleMetadata, spnHolders } = await load('cli/audit.js');
  const options = { rules: ruleMetadata(), spnHolders: spnHolders(snapshot), snapshotFile, quiet: false, color: false };
  for (const format of REPORT_FORMATS) {
    t = performance.now();
    const text = renderReport(format, result, options);
    out.renderMs[format] = ms(t);
    out.renderBytes[format] = Buffer.byteLength(text);
  }
}

out.peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify(out)}\n`);
