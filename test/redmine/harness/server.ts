/**
 * One private Redmine instance: its own directory (database, secret, logs) symlinked as
 * /var/lib/redmine/<name>, migrated and seeded, served by WEBrick on 127.0.0.1 and an ephemeral port,
 * stopped by its pid file — never by name.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LabError, run, sleep } from '../../lab/harness/exec.js';
import { REDMINE_HOME, type RedmineTools } from './packages.js';

export const KEEP_ENV = 'SPNAUDIT_REDMINE_KEEP';

export interface RedmineInfo {
  url: string;
  /** Admin API key (random per run). Tests pass it through an environment variable, as users do. */
  apiKey: string;
  project: string;
  /** Id of the string issue custom field (is_filter) that holds the fingerprint. */
  fingerprintFieldId: number;
  fingerprintFieldName: string;
  /** Redmine's `text_formatting` setting the instance runs with. */
  textFormatting: string;
  pid: number;
  pidFile: string;
  dir: string;
  instance: string;
  logFile: string;
}

const VAR_LIB = '/var/lib/redmine';
export const PROJECT = 'nightly';
export const FIELD_NAME = 'spnaudit fingerprint';

/** Seeds via rails runner; prints one JSON line with what the tests need. */
const SETUP_RUBY = `
Setting.rest_api_enabled = '1'
admin = User.find_by_login('admin')
admin.must_change_passwd = false
admin.save!
project = Project.find_by_identifier('${PROJECT}') || Project.create!(name: 'Nightly SPN audit', identifier: '${PROJECT}', is_public: false, tracker_ids: [Tracker.first.id])
field = IssueCustomField.find_by_name('${FIELD_NAME}') || IssueCustomField.create!(name: '${FIELD_NAME}', field_format: 'string', is_filter: true, searchable: true, is_for_all: true, tracker_ids: Tracker.pluck(:id))
puts({ 'apiKey' => admin.api_key, 'fieldId' => field.id, 'textFormatting' => Setting.text_formatting }.to_json)
`;

function env(instance: string, gemfile: string): NodeJS.ProcessEnv {
  return { ...process.env, REDMINE_INSTANCE: instance, RAILS_ENV: 'production', BUNDLE_GEMFILE: gemfile, SCHEMA: '/dev/null', REDMINE_LANG: 'en' };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new LabError('no port'))));
    });
  });
}

export interface InstanceTimings {
  migrateMs: number;
  seedMs: number;
  startMs: number;
}

/** Directory, database and seed data; returns what `startServer` needs. */
export async function createInstance(tools: RedmineTools, log: (line: string) => void): Promise<{ info: Omit<RedmineInfo, 'pid' | 'url'>; timings: Omit<InstanceTimings, 'startMs'> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-redmine-'));
  const instance = `spnaudit-${path.basename(dir).slice('spnaudit-redmine-'.length)}`;
  for (const sub of ['config', 'db', 'log', 'files', 'tmp/pids', 'tmp/cache', 'tmp/sessions', 'tmp/sockets', 'public/plugin_assets']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'config/database.yml'), `production:\n  adapter: sqlite3\n  database: ${path.join(dir, 'db/redmine.sqlite3')}\n  timeout: 5000\n`);
  writeFileSync(path.join(dir, 'config/secret_key.txt'), randomBytes(32).toString('hex'), { mode: 0o600 });
  const gemfile = path.join(dir, 'Gemfile');
  writeFileSync(gemfile, `eval_gemfile '${REDMINE_HOME}/Gemfile'\ngem 'webrick'\n`);
  mkdirSync(VAR_LIB, { recursive: true });
  symlinkSync(dir, path.join(VAR_LIB, instance));
  const opts = { env: env(instance, gemfile), timeoutMs: 300_000 };
  const inHome = async (args: string[], label: string) => {
    const r = await run('/bin/sh', ['-c', `cd ${REDMINE_HOME} && exec "$@"`, 'sh', tools.bundle, 'exec', ...args], { ...opts, label });
    return r.stdout;
  };
  let t = Date.now();
  log(`redmine: migrating ${dir}`);
  await inHome(['rake', 'db:migrate'], 'rake db:migrate');
  await inHome(['rake', 'redmine:load_default_data'], 'rake redmine:load_default_data');
  const migrateMs = Date.now() - t;
  t = Date.now();
  const script = path.join(dir, 'setup.rb');
  writeFileSync(script, SETUP_RUBY);
  const out = await inHome(['rails', 'runner', '-e', 'production', script], 'rails runner setup.rb');
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new LabError(`rails runner printed no setup JSON: ${out.slice(-300)}`);
  const seed = JSON.parse(line) as { apiKey: string; fieldId: number; textFormatting: string };
  return {
    info: {
      apiKey: seed.apiKey,
      project: PROJECT,
      fingerprintFieldId: seed.fieldId,
      fingerprintFieldName: FIELD_NAME,
      textFormatting: seed.textFormatting,
      pidFile: path.join(dir, 'tmp/pids/server.pid'),
      dir,
      instance,
      logFile: path.join(dir, 'log/server.out'),
    },
    timings: { migrateMs, seedMs: Date.now() - t },
  };
}

function pidFromFile(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in the pid file is this instance's Ruby server, not a recycled pid of something else. */
function isOurServer(pid: number, info: Pick<RedmineInfo, 'instance'>): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`REDMINE_INSTANCE=${info.instance}`);
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/users/current.json`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 401 || res.status === 200;
  } catch {
    return false;
  }
}

export async function startServer(tools: RedmineTools, base: Omit<RedmineInfo, 'pid' | 'url'>, timeoutMs = 120_000): Promise<RedmineInfo> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = openSync(base.logFile, 'a');
  try {
    const child = spawn(tools.bundle, ['exec', 'rails', 'server', '-b', '127.0.0.1', '-p', String(port), '-e', 'production', '-P', base.pidFile], {
      cwd: REDMINE_HOME,
      detached: true,
      stdio: ['ignore', out, out],
      env: env(base.instance, path.join(base.dir, 'Gemfile')),
    });
    child.unref();
  } finally {
    closeSync(out);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = pidFromFile(base.pidFile);
    if (pid !== null && (await answers(url))) return { ...base, url, pid };
    await sleep(300);
  }
  const tail = existsSync(base.logFile) ? readFileSync(base.logFile, 'utf8').trim().split('\n').slice(-4).join(' | ') : 'no log';
  await stopServer(base).catch(() => undefined);
  throw new LabError(`Redmine did not answer on ${url} within ${timeoutMs / 1000} s: ${tail}`);
}

/** SIGTERM the pid from the pid file, wait, SIGKILL after the grace period. */
export async function stopServer(info: Pick<RedmineInfo, 'pidFile' | 'instance'>, graceMs = 15_000): Promise<void> {
  const pid = pidFromFile(info.pidFile);
  if (pid === null || !alive(pid) || !isOurServer(pid, info)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return;
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  const hard = Date.now() + 5_000;
  while (alive(pid) && Date.now() < hard) await sleep(100);
  if (alive(pid)) throw new LabError(`Redmine server pid ${pid} survived SIGKILL`);
}

/** For exit handlers, where nothing asynchronous runs any more. */
export function stopServerSync(info: Pick<RedmineInfo, 'pidFile' | 'instance'>): void {
  const pid = pidFromFile(info.pidFile);
  if (pid !== null && alive(pid) && isOurServer(pid, info)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function removeInstance(info: Pick<RedmineInfo, 'dir' | 'instance'>): void {
  const link = path.join(VAR_LIB, info.instance);
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === info.dir) rmSync(link);
  } catch {
    // no link
  }
  rmSync(info.dir, { recursive: true, force: true });
}
