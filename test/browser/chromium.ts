/**
 * Headless Chromium driven over the DevTools protocol on the pipe transport (`--remote-debugging-pipe`:
 * commands on fd 3, replies and events on fd 4, NUL-delimited JSON), so no WebSocket library is
 * needed on Node 20. Chromium runs in its own process group, which is always killed: on close, on a
 * failed launch, and on process exit. If the test process is SIGKILLed (no exit handler runs), the
 * pipe closes and Chromium quits by itself (checked by hand: no process of the group survived).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium executable, or null when the browser suites are skipped (see global-setup.ts). */
    chromium: string | null;
  }
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags the issue prescribes, plus the pipe transport. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--remote-debugging-pipe',
] as const;

const COMMAND_TIMEOUT_MS = 30_000;
const STDERR_KEEP = 8_192;

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  method: string;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** True while any process of the group led by `pgid` exists. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export class Chromium {
  readonly pid: number;
  readonly userDataDir: string;
  private readonly child: ChildProcess;
  private readonly toBrowser: Writable;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: CdpEvent) => void>();
  private stderrTail = '';
  private exited: Error | null = null;
  private readonly killOnExit: () => void;

  private constructor(child: ChildProcess, userDataDir: string) {
    if (child.pid === undefined) throw new Error('chromium did not start');
    this.child = child;
    this.pid = child.pid;
    this.userDataDir = userDataDir;
    this.toBrowser = child.stdio[3] as Writable;
    const fromBrowser = child.stdio[4] as Readable;
    // Whatever happens to the test process, chromium must not outlive it.
    this.killOnExit = () => killGroup(this.pid);
    process.on('exit', this.killOnExit);

    let buffered = '';
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => {
      buffered += chunk;
      let end = buffered.indexOf('\0');
      while (end >= 0) {
        this.dispatch(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        end = buffered.indexOf('\0');
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    this.toBrowser.on('error', () => {
      // EPIPE after chromium died: the exit handler rejects what is pending.
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`chromium exited (${signal ?? `code ${code}`}): ${this.stderr().split('\n').slice(-5).join(' | ')}`);
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${p.method}: ${this.exited.message}`));
        this.pending.delete(id);
      }
    });
  }

  /** Starts chromium with a fresh profile and waits until it answers on the pipe. */
  static async launch(executable: string, extraArgs: readonly string[] = []): Promise<Chromium> {
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-chromium-profile-'));
    const child = spawn(executable, [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, ...extraArgs, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so the renderer/zygote/utility children are killed with it.
      detached: true,
      env: { ...process.env, HOME: userDataDir },
    });
    const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`cannot start ${executable}: ${error.message}`))));
    let browser: Chromium;
    try {
      browser = await Promise.race([Promise.resolve().then(() => new Chromium(child, userDataDir)), spawnError]);
    } catch (error) {
      if (child.pid !== undefined) killGroup(child.pid);
      rmSync(userDataDir, { recursive: true, force: true });
      throw error;
    }
    try {
      await Promise.race([browser.send('Browser.getVersion'), spawnError]);
    } catch (error) {
      await browser.close();
      throw error;
    }
    return browser;
  }

  stderr(): string {
    return this.stderrTail;
  }

  private dispatch(text: string): void {
    let message: { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.id !== undefined) {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      clearTimeout(p.timer);
      if (message.error) p.reject(new Error(`${p.method}: ${message.error.message}`));
      else p.resolve(message.result ?? {});
      return;
    }
    if (message.method) {
      const event: CdpEvent = { method: message.method, params: message.params ?? {} };
      if (message.sessionId !== undefined) event.sessionId = message.sessionId;
      for (const listener of this.listeners) listener(event);
    }
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${method}: ${this.exited.message}`));
    const id = this.nextId++;
    const message = JSON.stringify(sessionId === undefined ? { id, method, params } : { id, method, params, sessionId });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from chromium after ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { method, resolve: resolve as (r: Record<string, unknown>) => void, reject, timer });
      this.toBrowser.write(`${message}\0`);
    });
  }

  onEvent(listener: (event: CdpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitForEvent(method: string, sessionId: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} from chromium after ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const off = this.onEvent((event) => {
        if (event.method === method && event.sessionId === sessionId) {
          clearTimeout(timer);
          off();
          resolve(event.params);
        }
      });
    });
  }

  /** Asks chromium to quit, then kills the whole process group regardless, and removes the profile. */
  async close(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.send('Browser.close').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    killGroup(this.pid);
    for (let i = 0; i < 50 && processGroupAlive(this.pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    process.removeListener('exit', this.killOnExit);
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

/** One tab, attached in flat mode, collecting everything that counts as a console error. */
export class Page {
  /** Console errors, uncaught exceptions and error log entries (CSP violations, failed loads) since the last navigation. */
  errors: string[] = [];

  private constructor(
    private readonly browser: Chromium,
    readonly sessionId: string,
  ) {
    browser.onEvent((event) => {
      if (event.sessionId !== sessionId) return;
      const p = event.params as Record<string, any>;
      if (event.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
        this.errors.push(`console.${p.type}: ${(p.args as Array<{ value?: unknown; description?: string }>).map((a) => String(a.value ?? a.description)).join(' ')}`);
      } else if (event.method === 'Runtime.exceptionThrown') {
        this.errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      } else if (event.method === 'Log.entryAdded' && p.entry?.level === 'error') {
        this.errors.push(`${p.entry.source}: ${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ''}`);
      }
    });
  }

  static async open(browser: Chromium, viewport = { width: 1280, height: 1000 }): Promise<Page> {
    const { targetId } = await browser.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(browser, sessionId);
    for (const domain of ['Page', 'Runtime', 'Log']) await page.send(`${domain}.enable`);
    await page.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  /** Navigates and waits for the load event; errors start afresh. */
  async goto(url: string): Promise<void> {
    this.errors = [];
    const loaded = this.browser.waitForEvent('Page.loadEventFired', this.sessionId);
    const nav = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (nav.errorText) throw new Error(`cannot open ${url}: ${nav.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', { expression, returnByValue: true });
    if (reply.exceptionDetails) throw new Error(`evaluating ${expression}: ${reply.exceptionDetails.text}`);
    return reply.result.value as T;
  }

  async screenshotPng(): Promise<Buffer> {
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  }
}
