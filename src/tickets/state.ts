/**
 * The local journal: which tickets this machine created or touched, per target. It is NOT the source of
 * truth (the ticket system is: it is searched every run); it bridges eventually consistent search
 * (a ticket created seconds ago may be missing from Jira Cloud's search) and is the only memory of
 * the webhook. Written atomically (temp file + fsync + rename) after every create, so a run killed
 * between two creates leaves a journal that names every ticket it made.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, oneLine } from '../errors.js';
import type { TicketMarker } from './types.js';

export interface JournalEntry {
  id: string;
  display: string;
  open: boolean;
  marker: TicketMarker;
  updatedAt: string;
}

export interface TicketState {
  version: 1;
  /** provider + URL + project: a state file reused for another target must not be trusted. */
  target: string;
  tickets: Record<string, JournalEntry>;
}

export function emptyState(target: string): TicketState {
  return { version: 1, target, tickets: {} };
}

export async function readState(file: string, target: string): Promise<TicketState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(target);
    throw new UsageError(`cannot read state file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not a spnaudit ticket state file: ${oneLine((err as Error).message)} (delete it: the ticket system is searched anyway)`);
  }
  const state = data as Partial<TicketState>;
  if (state.version !== 1 || typeof state.target !== 'string' || typeof state.tickets !== 'object' || state.tickets === null) {
    throw new UsageError(`${file}: not a spnaudit ticket state file (version 1 with target and tickets) — delete it: the ticket system is searched anyway`);
  }
  // Another target's journal says nothing about this one.
  return state.target === target ? (state as TicketState) : emptyState(target);
}

export async function writeStateAtomic(file: string, state: TicketState): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new UsageError(`cannot write state file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
