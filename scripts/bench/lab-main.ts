/**
 * Part 1 of the benchmark: collection against the Samba lab vs the wire (ldapsearch) and vs the
 * peer tool (impacket GetUserSPNs). Runs under `flock /tmp/spnaudit-lab.lock` (main.ts starts it so):
 * only one Samba lab fits on a machine, and other sessions run lab tests.
 *
 *   flock /tmp/spnaudit-lab.lock npx tsx scripts/bench/lab-main.ts --accounts N --runs R --out FILE.json [--shape mixed|service-users]
 *
 * It waits while another lab is running, starts its own, bulk-loads the generated directory with
 * ldbadd in 2000-entry chunks, measures, and always stops the lab it started.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertPortsFree, startWatchdog, stopSamba } from '../../test/lab/harness/daemon.js';
import { startDaemon, startLab, stopLab } from '../../test/lab/harness/lab.js';
import { ensureLabPackages, type LabTools } from '../../test/lab/harness/packages.js';
import { labPaths } from '../../test/lab/harness/provision.js';
import { ldbApply } from '../../test/lab/harness/seed.js';
import type { LabInfo } from '../../test/lab/harness/types.js';
import { labLdifChunks, serviceUserLdifChunks, type GenerateSpec, type LabShape } from './generate.js';
import { killRunningGroups, runMeasured, stats, type RunSample, type Stats } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMPACKET_EXAMPLE = '/usr/share/doc/python3-impacket/examples/GetUserSPNs.py';
/**
 * GetUserSPNs normally takes 7-25 s here; one run in session 4 was still decoding after 10 minutes
 * (impacket's LDAP recv re-slices its whole buffer per message). A peer's pathology must not stop the bench.
 */
const IMPACKET_TIMEOUT_MS = 300_000;
const log = (line: string) => process.stderr.write(`bench(lab): ${line}\n`);

/** The attributes spnaudit's spn-holders query reads (queries/spn-holders.yaml), for ldapsearch. */
function spnHolderAttributes(): string[] {
  const yaml = readFileSync(path.join(ROOT, 'queries/spn-holders.yaml'), 'utf8');
  const block = yaml.slice(yaml.indexOf('attributes:'), yaml.indexOf('binaryAttributes:'));
  return [...block.matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]!);
}

interface ClientResult {
  client: string;
  wall: Stats;
  peakRss: Stats | null;
  /** What it reported it read, from its own output. */
  read: string;
  samples: RunSample[];
}

export interface LabBenchResult {
  spnHolders: number;
  spns: number;
  generated: GenerateSpec;
  /** mixed: the generated directory (60% computers); service-users: enabled users with 2 HTTP SPNs each. */
  shape: LabShape;
  loadMs: number;
  runs: number;
  clients: Array<Omit<ClientResult, 'samples'>>;
  ratios: { spnauditVsLdapsearch: number; spnauditOneConnectionVsLdapsearch: number; spnauditVsSameQueries: number; impacketVsSpnaudit: number | null };
  /** Measured impacket runs killed at the timeout (their time is a lower bound, and so is a ratio whose median is one). */
  impacketTimedOutRuns: number;
  notes: string[];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function labRunning(): boolean {
  const status = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/lab.ts'), 'status'], { cwd: ROOT, stdio: 'ignore' });
  return status.status === 0;
}

/** Waits (up to maxWaitMs) until no lab runs: neither one scripts/lab.ts knows nor anything on the DC ports. */
async function waitForFreeLab(maxWaitMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    let busy = labRunning() ? 'scripts/lab.ts status shows a running lab' : null;
    if (!busy) {
      try {
        await assertPortsFree();
      } catch (error) {
        busy = (error as Error).message;
      }
    }
    if (!busy) return;
    if (Date.now() - started > maxWaitMs) throw new Error(`gave up waiting for the machine's Samba lab after ${Math.round(maxWaitMs / 60000)} min: ${busy}`);
    log(`waiting: ${busy}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

/** Offline bulk load of the generated directory: stop samba, ldbadd chunk by chunk, start again. */
export async function loadGenerated(lab: LabInfo, tools: LabTools, spec: GenerateSpec, shape: LabShape = 'mixed'): Promise<{ lab: LabInfo; loadMs: number }> {
  const paths = labPaths(lab.targetDir);
  await stopSamba(lab.pid);
  const started = Date.now();
  let loaded = 0;
  const chunks = shape === 'service-users' ? serviceUserLdifChunks(spec.accounts, 2000) : labLdifChunks(spec, 2000);
  for (const chunk of chunks) {
    await ldbApply(tools, paths, 'ldbadd', paths.samPath, chunk.ldif, 'bench-chunk.ldif', ['--nosync']);
    loaded += chunk.entries;
    log(`loaded ${loaded}/${spec.accounts} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const loadMs = Date.now() - started;
  const pid = await startDaemon(paths, tools, lab.password);
  startWatchdog(process.pid, pid, lab.targetDir, false);
  return { lab: { ...lab, pid }, loadMs };
}

function ldapsearchArgs(lab: LabInfo, filter: string, attributes: readonly string[]): string[] {
  return [
    '-LLL', '-x', '-o', 'ldif-wrap=no',
    '-H', lab.ldapUrl, '-D', lab.bindDn, '-y', lab.passwordFile,
    '-b', lab.baseDn, '-s', 'sub', '-E', 'pr=1000/noprompt',
    filter, ...attributes,
  ];
}

/**
 * The DNs of the groups whose transitive members spnaudit marks privileged (RIDs 512, 518, 519 and
 * BUILTIN\Administrators): collect asks for the groups nested in each (queries/nested-groups.yaml).
 */
function privilegedGroupDns(lab: LabInfo): string[] {
  return ['CN=Domain Admins,CN=Users', 'CN=Schema Admins,CN=Users', 'CN=Enterprise Admins,CN=Users', 'CN=Administrators,CN=Builtin'].map((g) => `${g},${lab.baseDn}`);
}

/** A shell script running ldapsearch for the SPN holders and then each nested-groups search collect sends. */
function sameQueriesScript(lab: LabInfo, attributes: readonly string[]): string[] {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const one = (filter: string, attrs: readonly string[]) => ['ldapsearch', ...ldapsearchArgs(lab, filter, attrs)].map(quote).join(' ');
  const lines = [one('(servicePrincipalName=*)', attributes), ...privilegedGroupDns(lab).map((g) => one(`(&(objectClass=group)(memberOf=${g}))`, ['objectGUID']))];
  return ['-ec', lines.join('\n')];
}

function countLdif(file: string): { entries: number; spns: number } {
  const text = readFileSync(file, 'utf8');
  return { entries: (text.match(/^dn: /gm) ?? []).length, spns: (text.match(/^servicePrincipalName:/gim) ?? []).length };
}

async function main(): Promise<void> {
  const accounts = Number(arg('--accounts', '20000'));
  const runs = Number(arg('--runs', '5'));
  const out = arg('--out', path.join(ROOT, 'bench-results/lab.json'));
  const work = path.join(path.dirname(out), 'lab-work');
  mkdirSync(work, { recursive: true });
  const spec: GenerateSpec = { accounts, servers: 0 };
  const shapeArg = arg('--shape', 'mixed');
  if (shapeArg !== 'mixed' && shapeArg !== 'service-users') throw new Error(`--shape must be mixed or service-users, not ${shapeArg}`);
  const shape: LabShape = shapeArg;
  const notes: string[] = [];

  await waitForFreeLab(45 * 60_000);
  const packages = await ensureLabPackages(log);
  if (!packages.ok) throw new Error(`cannot start the lab: ${packages.reason}`);
  const tools = packages.tools;
  log('starting the Samba lab');
  let lab = (await startLab(tools, { log })).lab;
  startWatchdog(process.pid, lab.pid, lab.targetDir, false);
  const stopOnSignal = () => {
    killRunningGroups();
    log('interrupted: stopping the lab');
    stopLab(lab).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    log(`bulk-loading ${accounts} generated accounts, ${shape} (ldbadd, 2000 per transaction)`);
    const loaded = await loadGenerated(lab, tools, spec, shape);
    lab = loaded.lab;

    const attributes = spnHolderAttributes();
    const ldifFile = path.join(work, 'ldapsearch.ldif');
    const sameFile = path.join(work, 'ldapsearch-same.ldif');
    const snapshotFile = path.join(work, 'snapshot.json');
    const impacketFile = path.join(work, 'impacket.txt');
    const cli = path.join(ROOT, 'dist/cli/main.js');
    if (!existsSync(IMPACKET_EXAMPLE) && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      // The peer tool as users run it today: Debian's package (the lab installs Samba the same way).
      log('installing python3-impacket (apt-get)');
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-impacket'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    const collectClient = (extra: string[]) => ({
      run: () =>
        runMeasured(process.execPath, [cli, 'collect', '--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile, ...extra, '--out', snapshotFile], { cwd: ROOT }),
      read: () => {
        const s = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { accounts: Array<{ servicePrincipalNames: string[] }>; complete: boolean };
        return `${s.accounts.length} accounts, ${s.accounts.reduce((n, a) => n + a.servicePrincipalNames.length, 0)} SPNs, complete=${s.complete}`;
      },
    });
    const impacket = existsSync(IMPACKET_EXAMPLE) && existsSync('/usr/bin/python3');
    if (!impacket) notes.push(`impacket not measured: ${IMPACKET_EXAMPLE} is missing (apt-get install python3-impacket)`);

    const clients: Record<string, { run: () => Promise<RunSample>; read: () => string; mayTimeOut?: boolean }> = {
      ldapsearch: {
        run: () => runMeasured('ldapsearch', ldapsearchArgs(lab, '(servicePrincipalName=*)', attributes), { stdoutFile: ldifFile, env: { ...process.env, LDAPTLS_REQCERT: 'demand' } }),
        read: () => {
          const c = countLdif(ldifFile);
          return `${c.entries} entries, ${c.spns} SPNs`;
        },
      },
      'ldapsearch, same queries as collect': {
        run: () => runMeasured('/bin/sh', sameQueriesScript(lab, attributes), { stdoutFile: sameFile, env: { ...process.env, LDAPTLS_REQCERT: 'demand' } }),
        read: () => {
          const c = countLdif(sameFile);
          return `${c.entries} entries (SPN holders + privileged members), ${c.spns} SPNs`;
        },
      },
      // As users run it: the default --parallel (two connections to the DC).
      'spnaudit collect': collectClient([]),
      // One connection, as ldapsearch uses: what the client itself costs on top of the wire.
      'spnaudit collect --parallel 1': collectClient(['--parallel', '1']),
      ...(impacket
        ? {
            'impacket GetUserSPNs': {
              run: () =>
                runMeasured('/usr/bin/python3', [path.join(ROOT, 'scripts/bench/impacket_getuserspns.py'), lab.passwordFile, lab.realm, 'Administrator', '127.0.0.1'], {
                  stdoutFile: impacketFile,
                  timeoutMs: IMPACKET_TIMEOUT_MS,
                }),
              mayTimeOut: true,
              read: () => {
                const lines = readFileSync(impacketFile, 'utf8').split('\n').filter((l) => /^\S+\/\S+\s/.test(l));
                return `${lines.length} SPN rows (users only; it prints its result twice)`;
              },
            },
          }
        : {}),
    };

    // One warm-up pass: the DC's caches and the page cache start equal for every client.
    /** A peer run killed at its timeout is kept as a sample of at least that time; any other failure stops the bench. */
    const accept = (name: string, sample: RunSample, when: string): boolean => {
      if (sample.timedOut && clients[name]!.mayTimeOut) {
        const note = `${name}: ${when} killed after ${(sample.wallMs / 1000).toFixed(0)} s (kept as a sample of at least that time, so a ratio to it is a lower bound)`;
        notes.push(note);
        log(note);
        return false;
      }
      if (sample.code !== 0) throw new Error(`${name} failed (exit ${sample.code}): ${sample.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return true;
    };
    for (const [name, c] of Object.entries(clients)) {
      const sample = await c.run();
      if (accept(name, sample, 'warm-up')) log(`warm-up ${name}: ${(sample.wallMs / 1000).toFixed(2)} s, read ${c.read()}`);
    }
    const results = new Map<string, { samples: RunSample[]; read: string }>();
    for (let r = 0; r < runs; r += 1) {
      // Rotate the order so drift on a shared machine hits every client alike.
      const names = Object.keys(clients);
      const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
      for (const name of order) {
        const sample = await clients[name]!.run();
        const complete = accept(name, sample, `run ${r + 1}/${runs}`);
        const entry = results.get(name) ?? { samples: [], read: 'no run completed' };
        entry.samples.push(sample);
        if (complete) entry.read = clients[name]!.read();
        results.set(name, entry);
        log(`run ${r + 1}/${runs} ${name}: ${(sample.wallMs / 1000).toFixed(2)} s`);
      }
    }
    const summary: ClientResult[] = [...results].map(([client, { samples, read }]) => ({
      client,
      wall: stats(samples.map((s) => s.wallMs)),
      peakRss: samples.every((s) => s.peakRssBytes !== null) ? stats(samples.map((s) => s.peakRssBytes!)) : null,
      read,
      samples,
    }));
    const median = (name: string) => summary.find((c) => c.client === name)?.wall.median ?? null;
    const ldap = countLdif(ldifFile);
    const result: LabBenchResult = {
      spnHolders: ldap.entries,
      spns: ldap.spns,
      generated: spec,
      shape,
      loadMs: loaded.loadMs,
      runs,
      clients: summary.map(({ samples: _s, ...rest }) => rest),
      ratios: {
        spnauditVsLdapsearch: median('spnaudit collect')! / median('ldapsearch')!,
        spnauditOneConnectionVsLdapsearch: median('spnaudit collect --parallel 1')! / median('ldapsearch')!,
        spnauditVsSameQueries: median('spnaudit collect')! / median('ldapsearch, same queries as collect')!,
        impacketVsSpnaudit: impacket ? median('impacket GetUserSPNs')! / median('spnaudit collect')! : null,
      },
      impacketTimedOutRuns: results.get('impacket GetUserSPNs')?.samples.filter((x) => x.timedOut).length ?? 0,
      notes,
    };
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out}`);
  } finally {
    log(`stopping the lab (pid ${lab.pid})`);
    await stopLab(lab);
    rmSync(work, { recursive: true, force: true });
  }
}

// Run only as a script, so the profiling helper can import loadGenerated.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
