/**
 * `npm run bench` (builds first, then runs this with tsx). Three measurements, each run several
 * times, median and spread reported, JSON written to bench-results/ and a table printed:
 *   1. collection vs the wire: `spnaudit collect` vs ldapsearch and impacket on the Samba lab
 *   2. analysis at scale: generated snapshots of 10k / 100k / 1M accounts + 1000 servers
 *   3. report rendering of the 100k audit in every format
 *
 *   npm run bench                      full run (minutes; a 20,000-account lab load alone takes ~5)
 *   npm run bench -- --quick           smoke run: small sizes, 2 runs, a 2000-account lab
 *   options: --runs N  --skip-lab  --skip-analysis  --skip-render  --keep-data  --lab-accounts N
 *            --lab-shape mixed|service-users|both (default both: the generated mix, then a directory
 *            of service users only, the case impacket's GetUserSPNs is built for)
 *
 * Analysis runs in child processes (scripts/bench/analyze-child.mjs, against dist/) so each peak
 * RSS belongs to one size. The lab part runs under `flock /tmp/spnaudit-lab.lock`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plannedDefects, type GenerateSpec, type LabShape } from './generate.js';
import { writeInventoryFile, writeSnapshotFile } from './files.js';
import type { LabBenchResult } from './lab-main.js';
import { killRunningGroups, mib, runMeasured, seconds, stats, textTable, type Stats } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = path.join(ROOT, 'bench-results');
const LOCK = '/tmp/spnaudit-lab.lock';
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const TARGETS = {
  analysis1MMs: 3000,
  analysis1MRssBytes: 1.5 * 1024 ** 3,
  scalingPer10x: 11,
  collectVsLdapsearch: 1.15,
  impacketVsCollect: 5,
};

interface Options {
  quick: boolean;
  runs: number;
  sizes: number[];
  renderSize: number;
  lab: boolean;
  analysis: boolean;
  render: boolean;
  keepData: boolean;
  labAccounts: number;
  labRuns: number;
  labShapes: LabShape[];
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): number | null => {
    const i = argv.indexOf(name);
    if (i < 0) return null;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
    return n;
  };
  const known = new Set(['--quick', '--runs', '--skip-lab', '--skip-analysis', '--skip-render', '--keep-data', '--lab-accounts', '--lab-shape']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a} (known: ${[...known].join(' ')})`);
  const runs = value('--runs') ?? (quick ? 2 : 3);
  return {
    quick,
    runs,
    sizes: quick ? [2_000, 20_000] : [10_000, 100_000, 1_000_000],
    renderSize: quick ? 20_000 : 100_000,
    lab: !argv.includes('--skip-lab'),
    analysis: !argv.includes('--skip-analysis'),
    render: !argv.includes('--skip-render'),
    keepData: argv.includes('--keep-data'),
    labAccounts: value('--lab-accounts') ?? (quick ? 2_000 : 20_000),
    labRuns: value('--runs') ?? (quick ? 2 : 5),
    labShapes: labShapes(argv),
  };
}

function labShapes(argv: string[]): LabShape[] {
  const i = argv.indexOf('--lab-shape');
  const v = i < 0 ? 'both' : argv[i + 1];
  if (v === 'both') return ['mixed', 'service-users'];
  if (v === 'mixed' || v === 'service-users') return [v];
  throw new Error('--lab-shape needs mixed, service-users or both');
}

/** 1000 servers, as the issue asks; fewer for sizes too small to hold them. */
const specFor = (accounts: number): GenerateSpec => ({ accounts, servers: Math.min(1000, Math.floor(accounts / 10)) });

interface ChildReport {
  accounts: number;
  findings: number;
  byRule: Record<string, number>;
  readSnapshotMs: number;
  loadInventoryMs: number;
  auditMs: number;
  renderMs: Record<string, number>;
  renderBytes: Record<string, number>;
  peakRssBytes: number;
}

async function dataFiles(spec: GenerateSpec): Promise<{ snapshot: string; inventory: string; bytes: number }> {
  const dir = path.join(RESULTS, 'data');
  mkdirSync(dir, { recursive: true });
  const snapshot = path.join(dir, `snapshot-${spec.accounts}.json`);
  const inventory = path.join(dir, `inventory-${spec.servers}.yaml`);
  // --keep-data files are reused only when the generator that wrote them is the one here now.
  await generated(snapshot, generatorStamp(spec), async () => {
    log(`generating ${spec.accounts} accounts -> ${path.relative(ROOT, snapshot)}`);
    await writeSnapshotFile(snapshot, spec);
  });
  await generated(inventory, generatorStamp({ servers: spec.servers }), () => writeInventoryFile(inventory, spec));
  return { snapshot, inventory, bytes: statSync(snapshot).size };
}

/** Writes `file` unless it exists with this stamp beside it; the stamp is written only after the file is complete. */
async function generated(file: string, stamp: string, write: () => Promise<void>): Promise<void> {
  const stampFile = `${file}.stamp`;
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  rmSync(stampFile, { force: true });
  await write();
  writeFileSync(stampFile, stamp);
}

/** What writes the generated files: the generator, its writer and the model code it imports. */
const GENERATOR_SOURCES = ['scripts/bench/generate.ts', 'scripts/bench/files.ts', 'src/model/directory.ts', 'src/model/account-order.ts', 'src/model/uac.ts'];

/** The generator's sources and what the file was made from: a kept file written by another version is stale. */
function generatorStamp(spec: GenerateSpec | { servers: number }): string {
  const hash = createHash('sha256');
  for (const file of GENERATOR_SOURCES) hash.update(readFileSync(path.join(ROOT, file)));
  return `${hash.update(JSON.stringify(spec)).digest('hex')}\n`;
}

async function runChild(files: { snapshot: string; inventory: string }, render: boolean): Promise<{ report: ChildReport; wallMs: number; peakRssBytes: number | null }> {
  const sample = await runMeasured(process.execPath, [path.join(ROOT, 'scripts/bench/analyze-child.mjs'), files.snapshot, files.inventory, ...(render ? ['render'] : [])], {
    cwd: ROOT,
    timeoutMs: 30 * 60_000,
  });
  if (sample.code !== 0) throw new Error(`analysis child failed (exit ${sample.code}): ${sample.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const report = JSON.parse(sample.stdout.trim().split('\n').pop()!) as ChildReport;
  return { report, wallMs: sample.wallMs, peakRssBytes: sample.peakRssBytes };
}

interface AnalysisResult {
  accounts: number;
  servers: number;
  spns: number;
  snapshotBytes: number;
  findings: number;
  findingsAsPlanned: boolean;
  readSnapshot: Stats;
  loadInventory: Stats;
  audit: Stats;
  /** Whole child process: start, read, inventory, audit, exit. */
  process: Stats;
  peakRss: Stats;
}

async function analysis(opts: Options): Promise<AnalysisResult[]> {
  const out: AnalysisResult[] = [];
  for (const accounts of opts.sizes) {
    const spec = specFor(accounts);
    const files = await dataFiles(spec);
    const plan = plannedDefects(spec);
    const samples: Array<Awaited<ReturnType<typeof runChild>>> = [];
    for (let r = 0; r < opts.runs; r += 1) {
      const s = await runChild(files, false);
      log(`analysis ${accounts}: run ${r + 1}/${opts.runs} audit ${seconds(s.report.auditMs)}, read ${seconds(s.report.readSnapshotMs)}, peak RSS ${mib(s.peakRssBytes)}`);
      samples.push(s);
    }
    const first = samples[0]!.report;
    const asPlanned = samples.every((s) => JSON.stringify(sortKeys(s.report.byRule)) === JSON.stringify(sortKeys(plan.findings)));
    if (!asPlanned) log(`WARNING: ${accounts}: findings ${JSON.stringify(first.byRule)} differ from the planted ${JSON.stringify(plan.findings)}`);
    out.push({
      accounts,
      servers: spec.servers,
      spns: plan.spns,
      snapshotBytes: files.bytes,
      findings: first.findings,
      findingsAsPlanned: asPlanned,
      readSnapshot: stats(samples.map((s) => s.report.readSnapshotMs)),
      loadInventory: stats(samples.map((s) => s.report.loadInventoryMs)),
      audit: stats(samples.map((s) => s.report.auditMs)),
      process: stats(samples.map((s) => s.wallMs)),
      peakRss: stats(samples.map((s) => s.peakRssBytes ?? s.report.peakRssBytes)),
    });
  }
  return out;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface RenderResult {
  accounts: number;
  findings: number;
  formats: Array<{ format: string; time: Stats; bytes: number }>;
}

async function render(opts: Options): Promise<RenderResult> {
  const spec = specFor(opts.renderSize);
  const files = await dataFiles(spec);
  const reports: ChildReport[] = [];
  for (let r = 0; r < opts.runs; r += 1) {
    const s = await runChild(files, true);
    log(`render ${opts.renderSize}: run ${r + 1}/${opts.runs} ${Object.entries(s.report.renderMs).map(([f, ms]) => `${f} ${seconds(ms)}`).join(', ')}`);
    reports.push(s.report);
  }
  const formats = Object.keys(reports[0]!.renderMs).map((format) => ({
    format,
    time: stats(reports.map((r) => r.renderMs[format]!)),
    bytes: reports[0]!.renderBytes[format]!,
  }));
  return { accounts: opts.renderSize, findings: reports[0]!.findings, formats };
}

async function lab(opts: Options, stamp: string, shape: LabShape): Promise<LabBenchResult> {
  const out = path.join(RESULTS, `lab-${shape}-${stamp}.json`);
  log(`lab part: taking ${LOCK} (waits while another session's lab runs)`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      'flock',
      [LOCK, path.join(ROOT, 'node_modules/.bin/tsx'), path.join(ROOT, 'scripts/bench/lab-main.ts'), '--accounts', String(opts.labAccounts), '--runs', String(opts.labRuns), '--out', out, '--shape', shape],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !existsSync(out)) throw new Error(`the lab part failed (exit ${code}); see the bench(lab) lines above`);
  return JSON.parse(readFileSync(out, 'utf8')) as LabBenchResult;
}

const ratio = (x: number) => `${x.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const spreadText = (s: Stats) => `${Math.round(s.spread * 100)}%`;

function printReport(result: BenchResult): void {
  const lines: string[] = [''];
  lines.push(`spnaudit benchmark ${result.startedAt} — ${result.machine.cpus} CPU(s) ${result.machine.cpuModel}, load ${result.machine.loadBefore.map((l) => l.toFixed(1)).join('/')} before, node ${result.machine.node}`);
  for (const l of result.lab) {
    const shape = l.shape === 'service-users' ? 'service users only (2 HTTP SPNs each: the case GetUserSPNs is built for)' : 'the generated mix (60% computers, which GetUserSPNs never reads)';
    lines.push('', `1. Collection (${shape}): ${l.spnHolders} SPN holders / ${l.spns} SPNs on the Samba lab (load ${seconds(l.loadMs)}), ${l.runs} runs each`);
    lines.push(
      textTable([
        ['client', 'median wall', 'min–max', 'spread', 'peak RSS', 'read'],
        ...l.clients.map((c) => [c.client, seconds(c.wall.median), `${seconds(c.wall.min)}–${seconds(c.wall.max)}`, spreadText(c.wall), c.peakRss ? mib(c.peakRss.median) : 'n/a', c.read]),
      ]),
    );
    lines.push(
      `   spnaudit (default --parallel 2) / ldapsearch (SPN holders) = ${ratio(l.ratios.spnauditVsLdapsearch)} (target ≤ ${TARGETS.collectVsLdapsearch}×: ${verdict(l.ratios.spnauditVsLdapsearch <= TARGETS.collectVsLdapsearch)})`,
      `   spnaudit --parallel 1 / ldapsearch (one connection each) = ${ratio(l.ratios.spnauditOneConnectionVsLdapsearch)} (target ≤ ${TARGETS.collectVsLdapsearch}×: ${verdict(l.ratios.spnauditOneConnectionVsLdapsearch <= TARGETS.collectVsLdapsearch)})`,
      `   spnaudit / ldapsearch (the same queries collect sends) = ${ratio(l.ratios.spnauditVsSameQueries)}`,
    );
    if (l.ratios.impacketVsSpnaudit !== null) {
      const killed = l.impacketTimedOutRuns ?? 0;
      const met = l.ratios.impacketVsSpnaudit >= TARGETS.impacketVsCollect;
      // A lower bound under the target says nothing either way.
      const outcome = met ? 'met' : killed > 0 ? 'unknown' : 'MISSED';
      const bound = killed > 0 ? ` — a lower bound: ${killed} of ${l.runs} impacket runs were killed at the timeout` : '';
      lines.push(`   impacket / spnaudit = ${killed > 0 ? '≥ ' : ''}${ratio(l.ratios.impacketVsSpnaudit)} (target ≥ ${TARGETS.impacketVsCollect}×: ${outcome})${bound}`);
    }
    for (const n of l.notes) lines.push(`   note: ${n}`);
  }
  if (result.analysis.length > 0) {
    lines.push('', `2. Analysis (runAudit) on generated snapshots, ${result.analysis[0]!.audit.runs} runs each, one child process per run`);
    lines.push(
      textTable([
        ['accounts', 'SPNs', 'file', 'read snapshot', 'audit (median, min–max)', 'spread', 'process', 'peak RSS', 'findings'],
        ...result.analysis.map((a) => [
          a.accounts.toLocaleString('en-US'),
          a.spns.toLocaleString('en-US'),
          mib(a.snapshotBytes),
          seconds(a.readSnapshot.median),
          `${seconds(a.audit.median)} (${seconds(a.audit.min)}–${seconds(a.audit.max)})`,
          spreadText(a.audit),
          seconds(a.process.median),
          mib(a.peakRss.median),
          `${a.findings}${a.findingsAsPlanned ? '' : ' (NOT as planted)'}`,
        ]),
      ]),
    );
    for (let i = 1; i < result.analysis.length; i += 1) {
      const a = result.analysis[i - 1]!;
      const b = result.analysis[i]!;
      const f = b.audit.median / a.audit.median;
      lines.push(`   ${b.accounts / a.accounts}× data (${a.accounts} → ${b.accounts}): audit ${ratio(f)} time (target ≤ ${TARGETS.scalingPer10x}×: ${verdict(f <= TARGETS.scalingPer10x * (b.accounts / a.accounts / 10))})`);
    }
    const million = result.analysis.find((a) => a.accounts === 1_000_000);
    if (million) {
      lines.push(`   1M accounts: audit ${seconds(million.audit.median)} (target < 3 s: ${verdict(million.audit.median < TARGETS.analysis1MMs)}), peak RSS ${mib(million.peakRss.median)} (target < 1.5 GB: ${verdict(million.peakRss.median < TARGETS.analysis1MRssBytes)})`);
    }
  }
  if (result.render) {
    const r = result.render;
    lines.push('', `3. Report rendering of the ${r.accounts.toLocaleString('en-US')}-account audit (${r.findings} findings)`);
    lines.push(textTable([['format', 'median', 'min–max', 'spread', 'size'], ...r.formats.map((f) => [f.format, seconds(f.time.median), `${seconds(f.time.min)}–${seconds(f.time.max)}`, spreadText(f.time), mib(f.bytes)])]));
  }
  lines.push('', `JSON: ${path.relative(ROOT, result.file)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface BenchResult {
  startedAt: string;
  finishedAt: string;
  file: string;
  options: Options;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; loadBefore: number[]; loadAfter: number[] };
  targets: typeof TARGETS;
  lab: LabBenchResult[];
  analysis: AnalysisResult[];
  render: RenderResult | null;
  errors: string[];
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const file = path.join(RESULTS, `bench-${stamp}.json`);
  const result: BenchResult = {
    startedAt,
    finishedAt: '',
    file,
    options: opts,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, loadBefore: os.loadavg(), loadAfter: [] },
    targets: TARGETS,
    lab: [],
    analysis: [],
    render: null,
    errors: [],
  };
  // Each part on its own: a failed lab (no root, no apt) must not hide the analysis numbers.
  const part = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      result.errors.push(message);
      log(`FAILED ${message}`);
    }
  };
  if (opts.analysis) await part('analysis', async () => void (result.analysis = await analysis(opts)));
  if (opts.render) await part('render', async () => void (result.render = await render(opts)));
  if (!opts.keepData) rmSync(path.join(RESULTS, 'data'), { recursive: true, force: true });
  if (opts.lab) {
    for (const shape of opts.labShapes) await part(`lab (${shape})`, async () => void result.lab.push(await lab(opts, stamp, shape)));
  }
  result.finishedAt = new Date().toISOString();
  result.machine.loadAfter = os.loadavg();
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  printReport(result);
  if (result.errors.length > 0) {
    for (const e of result.errors) process.stderr.write(`bench: FAILED ${e}\n`);
    process.exitCode = 1;
  }
}

// Commands under a timeout run in their own process group, out of reach of Ctrl-C: end them too.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    killRunningGroups();
    process.exit(code);
  });
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
