/** Running the Samba / OpenLDAP tools: argv only (no shell), bounded, with errors that fit on one line. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export class LabError extends Error {
  override name = 'LabError';
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Resolve instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
  /** Shown instead of the argv in errors (argv may hold a password). */
  label?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const label = options.label ?? `${path.basename(command)} ${args.slice(0, 2).join(' ')}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LabError(`${label}: no result after ${timeoutMs / 1000} s, killed`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LabError(`${label}: cannot run: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.code !== 0 && !options.allowFailure) {
        const why = signal ? `killed by ${signal}` : `exit ${result.code}`;
        reject(new LabError(`${label} failed (${why}): ${lastLines(result.stderr || result.stdout, 3)}`));
        return;
      }
      resolve(result);
    });
    child.stdin.on('error', () => {
      // The tool may exit before reading its input; the exit status tells the story.
    });
    child.stdin.end(options.input ?? '');
  });
}

/** sbin directories are not on a normal user's PATH, but samba lives there. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
