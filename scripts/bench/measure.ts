/** Running a command for a measurement: wall time, peak RSS, output; and median/spread of runs. */
import { spawn, type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunSample {
  wallMs: number;
  /** Peak resident set size of the command (GNU time's %M), bytes; null without /usr/bin/time. */
  peakRssBytes: number | null;
  code: number;
  stdout: string;
  stderr: string;
  /** Killed at opts.timeoutMs: wallMs is then a lower bound of the command's time. */
  timedOut: boolean;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Process groups of commands started with a timeout (detached, so the kill reaches the command behind
 * sh and GNU time). They are not in the terminal's foreground group, so Ctrl-C does not reach them:
 * they are killed when the benchmark exits, however it exits (see killRunningGroups).
 */
const runningGroups = new Set<number>();

/** SIGKILL to a whole process group; false when there is no such group (already gone). */
function killGroup(group: number): boolean {
  try {
    process.kill(-group, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Kills every command still running under a timeout; called on exit and by the signal handlers. */
export function killRunningGroups(): void {
  for (const group of runningGroups) killGroup(group);
  runningGroups.clear();
}
process.on('exit', killRunningGroups);

/**
 * Runs a command once. Peak RSS comes from GNU time (`%M`, the child's ru_maxrss), so it is the
 * command's own peak, not the benchmark's. stdout goes to `stdoutFile` when given (large outputs).
 */
export async function runMeasured(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdoutFile?: string; timeoutMs?: number } = {},
): Promise<RunSample> {
  const timeFile = path.join(os.tmpdir(), `spnaudit-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const useTime = existsSync(GNU_TIME);
  const argv = useTime ? ['-f', '%M', '-o', timeFile, command, ...args] : [...args];
  const shellCommand = opts.stdoutFile ? ['-c', 'exec "$@" > "$0"', opts.stdoutFile, useTime ? GNU_TIME : command, ...argv] : null;
  // With a timeout the command gets its own process group, so the kill reaches it behind sh and time.
  const spawnOptions: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe> = {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.timeoutMs !== undefined,
  };
  const started = process.hrtime.bigint();
  const child = shellCommand
    ? spawn('/bin/sh', shellCommand, spawnOptions)
    : spawn(useTime ? GNU_TIME : command, argv, spawnOptions);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 1 << 20) stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  let timedOut = false;
  const group = spawnOptions.detached && child.pid !== undefined ? child.pid : null;
  if (group !== null) runningGroups.add(group);
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        // Exited already, only its pipes not yet closed: that run was not cut short.
        if (child.exitCode !== null || child.signalCode !== null) return;
        timedOut = true;
        if (group === null || !killGroup(group)) child.kill('SIGKILL');
      }, opts.timeoutMs)
    : null;
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (timer) clearTimeout(timer);
  if (group !== null) runningGroups.delete(group);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakRssBytes: number | null = null;
  if (useTime && existsSync(timeFile)) {
    // A killed GNU time leaves its -o file empty: no peak then, never a 0.
    const text = readFileSync(timeFile, 'utf8').trim();
    const kb = Number(text.split('\n').pop());
    peakRssBytes = !timedOut && text !== '' && Number.isFinite(kb) && kb > 0 ? kb * 1024 : null;
    rmSync(timeFile, { force: true });
  }
  return { wallMs, peakRssBytes, code, stdout, stderr, timedOut };
}

export interface Stats {
  runs: number;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: the noise of this measurement. */
  spread: number;
  samples: number[];
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return { runs: samples.length, median, min, max, spread: median === 0 ? 0 : (max - min) / median, samples: [...samples] };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
export const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${Math.round(bytes / 1024 / 1024)} MiB`);

/** A plain-text table: first row is the header. */
export function textTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
