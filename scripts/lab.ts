/**
 * The Samba lab by hand and for benchmarks:
 *   npx tsx scripts/lab.ts start            provision, seed, start; prints the connection facts as JSON
 *   npx tsx scripts/lab.ts status           JSON, exit 0 when running, 1 when not
 *   npx tsx scripts/lab.ts seed-bulk N      add N SPN holders (stops, loads offline, restarts)
 *   npx tsx scripts/lab.ts stop             stop samba by pid and remove the lab dir
 * The JSON never holds the password: read it from passwordFile.
 * Only one lab at a time (Samba's ports are fixed); its dir is remembered in $TMPDIR/spnaudit-lab.current.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedBulk } from '../test/lab/harness/bulk.js';
import { isLabDaemon } from '../test/lab/harness/daemon.js';
import { loadLabState, startLab, stopLab } from '../test/lab/harness/lab.js';
import { ensureLabPackages, requireLabTools } from '../test/lab/harness/packages.js';
import { labPaths } from '../test/lab/harness/provision.js';
import type { LabInfo } from '../test/lab/harness/types.js';

const POINTER = path.join(os.tmpdir(), 'spnaudit-lab.current');
const log = (line: string) => process.stderr.write(`${line}\n`);

class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

function publicFacts(lab: LabInfo, running: boolean): Record<string, unknown> {
  const { password: _password, ...facts } = lab;
  return { running, ...facts };
}

function running(lab: LabInfo): boolean {
  return isLabDaemon(lab.pid, labPaths(lab.targetDir).pidFile);
}

function currentLab(): LabInfo | null {
  if (!existsSync(POINTER)) return null;
  const dir = readFileSync(POINTER, 'utf8').trim();
  if (!existsSync(dir)) return null;
  return loadLabState(dir);
}

async function start(): Promise<void> {
  const existing = currentLab();
  if (existing && running(existing)) {
    throw new CliError(`a lab is already running (pid ${existing.pid}, ${existing.targetDir}); run: npx tsx scripts/lab.ts stop`);
  }
  const packages = await ensureLabPackages(log);
  if (!packages.ok) throw new CliError(`cannot start the lab: ${packages.reason}`);
  const { lab, timings } = await startLab(packages.tools, { log });
  writeFileSync(POINTER, `${lab.targetDir}\n`);
  log(`lab: started in ${(timings.totalMs / 1000).toFixed(1)} s ${JSON.stringify(timings)}`);
  process.stdout.write(`${JSON.stringify(publicFacts(lab, true), null, 2)}\n`);
}

async function stop(): Promise<void> {
  const lab = currentLab();
  if (!lab) {
    rmSync(POINTER, { force: true });
    log('lab: no lab to stop');
    return;
  }
  if (running(lab)) await stopLab(lab);
  else rmSync(lab.targetDir, { recursive: true, force: true });
  rmSync(POINTER, { force: true });
  log(`lab: stopped pid ${lab.pid} and removed ${lab.targetDir}`);
}

function status(): void {
  const lab = currentLab();
  const alive = lab !== null && running(lab);
  process.stdout.write(`${JSON.stringify(lab ? publicFacts(lab, alive) : { running: false }, null, 2)}\n`);
  process.exitCode = alive ? 0 : 1;
}

async function bulk(countText: string | undefined): Promise<void> {
  const count = Number(countText);
  if (!countText || !Number.isInteger(count) || count < 1) throw new CliError('usage: npx tsx scripts/lab.ts seed-bulk N (N a positive integer)', 2);
  const lab = currentLab();
  if (!lab) throw new CliError('no lab: run npx tsx scripts/lab.ts start first');
  const result = await seedBulk(lab, count, requireLabTools(), log);
  log(`lab: ${count} bulk accounts loaded in ${(result.loadMs / 1000).toFixed(1)} s, restart ${(result.restartMs / 1000).toFixed(1)} s`);
  process.stdout.write(`${JSON.stringify(publicFacts(result.lab, running(result.lab)), null, 2)}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'stop':
      return stop();
    case 'status':
      return status();
    case 'seed-bulk':
      return bulk(arg);
    default:
      throw new CliError('usage: npx tsx scripts/lab.ts start|stop|status|seed-bulk N', 2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
});
