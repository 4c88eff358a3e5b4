/**
 * Snapshot files: written streamingly (one account per line, then an atomic rename, so a crash
 * never leaves a half-written snapshot under the real name) and read back with validation that
 * turns a truncated, hand-edited or foreign file into one clear error — never a wrong clean verdict.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Account, Snapshot } from '../model/directory.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../model/directory.js';
import { UsageError } from '../errors.js';

/**
 * Characters valid in JSON strings that terminals and editors act on (DEL and C1 controls such as CSI,
 * bidi overrides, zero-width characters, line separators): written as \u escapes so `cat snapshot.json`
 * shows a hostile SPN as it is instead of letting it reorder or restyle the screen. JSON.stringify
 * already escapes C0 controls; JSON.parse reads the escapes back to the exact value.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/g;
const safeJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let handle: FileHandle;
  try {
    // Like --output and --report, a missing folder is created.
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    handle = await open(tmp, 'w', 0o600);
  } catch (err) {
    throw new UsageError(`cannot write snapshot ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const { accounts, ...header } = snapshot;
    const headerJson = safeJson(header, 2);
    await handle.write(`${headerJson.slice(0, -2)},\n  "accounts": [`);
    let first = true;
    // About 1 MiB per write: one awaited write per account cost 0.2 s of a 20k-account collect.
    let batch = '';
    for (const account of accounts) {
      batch += `${first ? '' : ','}\n    ${safeJson(account)}`;
      first = false;
      if (batch.length >= 1 << 20) {
        await handle.write(batch);
        batch = '';
      }
    }
    await handle.write(`${batch}${first ? '' : '\n  '}]\n}\n`);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
}

/**
 * Reads a snapshot. Files in the layout {@link writeSnapshot} produces (one account per line) are
 * parsed a line at a time, so a million-account file never sits in memory as one string (V8 caps
 * strings at 512 MiB, and the text next to the parsed objects would double the peak). Any other
 * layout (hand-edited, pretty-printed, minified) is read whole and parsed by {@link parseSnapshot}.
 */
export async function readSnapshot(file: string): Promise<Snapshot> {
  const streamed = await readWriterLayout(file);
  if (streamed !== null) return streamed;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(file, err);
  }
  return parseSnapshot(text, file);
}

function cannotRead(file: string, err: unknown): UsageError {
  return new UsageError(`cannot read snapshot ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
}

function notJson(file: string, line: number | null, err: unknown): UsageError {
  return new UsageError(`${file}${line ? `:${line}` : ''}: not valid JSON (${(err as Error).message.split('\n')[0]}); is the snapshot truncated?`);
}

export function parseSnapshot(text: string, file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)?.[1];
    const line = pos ? text.slice(0, Number(pos)).split('\n').length : null;
    throw notJson(file, line, err);
  }
  const check = validator(file);
  const accounts = check.header(data);
  accounts.forEach((a, i) => check.account(a, i));
  return data as Snapshot;
}

const ACCOUNTS_OPEN = '  "accounts": [';
const ACCOUNTS_EMPTY = '  "accounts": []';
const ACCOUNTS_CLOSE = '  ]';
/** The header (forests, domains, errors) is small; past this the file is not in the writer's layout. */
const MAX_HEADER_CHARS = 64 * 1024 * 1024;

/** Not the writer's layout: read the file whole instead. */
class OtherLayout extends Error {}

/**
 * Streams a file in writeSnapshot's layout: header lines up to `  "accounts": [`, one account object
 * per line (`    {...},`), `  ]`, `}`. Returns null as soon as the file turns out to be laid out
 * differently; a line that has the layout's shape but is not JSON is an error naming that line.
 */
async function readWriterLayout(file: string): Promise<Snapshot | null> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  } catch (err) {
    throw cannotRead(file, err);
  }
  const check = validator(file);
  const share = sharedValues();
  // Widened on purpose: onLine changes it, which the compiler's narrowing cannot see.
  let phase = 'header' as 'header' | 'accounts' | 'tail';
  let header = '';
  let tail = '';
  let lineNo = 0;
  let headerData: Record<string, unknown> = {};
  let accounts: Account[] = [];
  let rest = '';

  const onLine = (raw: string): void => {
    lineNo += 1;
    const unix = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const line = lineNo === 1 ? unix.replace(/^\uFEFF/, '') : unix;
    if (phase === 'header') {
      if (line === ACCOUNTS_OPEN || line === ACCOUNTS_EMPTY) {
        let data: unknown;
        try {
          data = JSON.parse(`${header}"accounts": []}`);
        } catch {
          throw new OtherLayout();
        }
        if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new OtherLayout();
        // Header problems are reported exactly as parseSnapshot reports them.
        check.header(data);
        headerData = data as Record<string, unknown>;
        phase = line === ACCOUNTS_OPEN ? 'accounts' : 'tail';
        return;
      }
      header += `${line}\n`;
      if (header.length > MAX_HEADER_CHARS) throw new OtherLayout();
      return;
    }
    if (phase === 'accounts') {
      if (line === ACCOUNTS_CLOSE) {
        phase = 'tail';
        return;
      }
      if (!line.startsWith('    {"')) throw new OtherLayout();
      const json = line.endsWith(',') ? line.slice(4, -1) : line.slice(4);
      let account: unknown;
      try {
        account = JSON.parse(json);
      } catch (err) {
        throw notJson(file, lineNo, err);
      }
      check.account(account, accounts.length);
      accounts.push(share(account as Account));
      return;
    }
    tail += `${line}\n`;
    if (tail.length > 1024) throw new OtherLayout();
  };

  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let from = 0;
      for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
        onLine(text.slice(from, nl));
        from = nl + 1;
      }
      rest = text.slice(from);
      if (phase === 'header' && rest.length > MAX_HEADER_CHARS) throw new OtherLayout();
    }
    if (rest !== '') onLine(rest);
  } catch (err) {
    stream.destroy();
    if (err instanceof OtherLayout) return null;
    if (err instanceof UsageError) throw err;
    throw cannotRead(file, err);
  }
  if (phase !== 'tail') {
    // A header we never saw the end of is not ours to judge; a cut-off account list is truncation.
    if (phase === 'header') return null;
    throw notJson(file, lineNo, new Error('Unexpected end of JSON input'));
  }
  if (tail.trim() !== '}') {
    if (tail.trim() === '') throw notJson(file, lineNo, new Error('Unexpected end of JSON input'));
    return null;
  }
  headerData.accounts = accounts;
  return headerData as unknown as Snapshot;
}

class Invalid extends Error {}

/**
 * Values that repeat across accounts (domain, objectClass, group DNs, empty lists) are stored once
 * and shared, instead of once per account: about a fifth of a large snapshot's memory. Shared
 * arrays are frozen, so code that tried to change one account's list would fail loudly.
 */
function sharedValues(): (account: Account) => Account {
  const strings = new Map<string, string>();
  const lists = new Map<string, readonly string[]>();
  const one = (value: string): string => {
    const seen = strings.get(value);
    if (seen !== undefined) return seen;
    strings.set(value, value);
    return value;
  };
  const list = (values: string[]): string[] => {
    const key = values.join('\n');
    let seen = lists.get(key);
    if (seen === undefined) {
      seen = Object.freeze(values.map(one));
      lists.set(key, seen);
    }
    return seen as string[];
  };
  return (account) => {
    account.domain = one(account.domain);
    account.objectClass = list(account.objectClass);
    account.memberOf = account.memberOf.length === 0 ? list(account.memberOf) : account.memberOf.map(one);
    account.allowedToDelegateTo = account.allowedToDelegateTo.length === 0 ? list(account.allowedToDelegateTo) : account.allowedToDelegateTo;
    if (account.groupMsaMembership) account.groupMsaMembership = account.groupMsaMembership.map(one);
    return account;
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCOUNT_KINDS: ReadonlySet<string> = new Set(['user', 'computer', 'gmsa', 'msa']);
const NULLABLE_STRING_FIELDS = ['objectSid', 'userPrincipalName', 'pwdLastSet', 'accountExpires', 'whenCreated', 'lastLogonTimestamp', 'dnsHostName'] as const;

interface Validator {
  /** Checks everything but the accounts; returns the accounts array to check one by one. */
  header(data: unknown): unknown[];
  /** Checks one account (GUIDs must be unique across calls). */
  account(data: unknown, index: number): void;
}

function validator(file: string): Validator {
  const fail = (where: string, what: string): never => {
    throw new Invalid(`${where}: ${what}`);
  };
  // `field` is joined to `where` only when a check fails: accounts are checked a million at a time.
  const path = (where: string, field?: string): string => (field === undefined ? where : `${where}.${field}`);
  const obj = (v: unknown, where: string, field?: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path(where, field), 'must be an object');
  const arr = (v: unknown, where: string, field?: string): unknown[] => (Array.isArray(v) ? v : fail(path(where, field), 'must be an array'));
  const str = (v: unknown, where: string, field?: string): string => (typeof v === 'string' ? v : fail(path(where, field), 'must be a string'));
  const strOrNull = (v: unknown, where: string, field?: string): string | null => (v === null ? null : str(v, where, field));
  const num = (v: unknown, where: string, field?: string): number =>
    typeof v === 'number' && Number.isFinite(v) ? v : fail(path(where, field), 'must be a number');
  const numOrNull = (v: unknown, where: string, field?: string): number | null => (v === null ? null : num(v, where, field));
  const bool = (v: unknown, where: string, field?: string): boolean => (typeof v === 'boolean' ? v : fail(path(where, field), 'must be true or false'));
  // A loop, not map(): this runs for five lists of each of a million accounts.
  const strings = (v: unknown, where: string, field?: string): void => {
    const list = arr(v, where, field);
    for (let i = 0; i < list.length; i += 1) if (typeof list[i] !== 'string') fail(`${path(where, field)}[${i}]`, 'must be a string');
  };
  const stringsOrNull = (v: unknown, where: string, field?: string): void => {
    if (v !== null) strings(v, where, field);
  };
  const reported = <T>(check: () => T): T => {
    try {
      return check();
    } catch (err) {
      if (err instanceof Invalid) throw new UsageError(`${file}: invalid snapshot: ${err.message}`);
      throw err;
    }
  };

  const domains = new Set<string>();
  const guids = new Set<string>();

  const header = (data: unknown): unknown[] =>
    reported(() => {
      const root = obj(data, 'snapshot');
      if (root.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
        fail('schemaVersion', `${JSON.stringify(root.schemaVersion)} is not supported (this spnaudit reads ${SNAPSHOT_SCHEMA_VERSION}); re-collect with this version`);
      }
      str(obj(root.tool, 'tool').name, 'tool.name');
      if (Number.isNaN(Date.parse(str(root.collectedAt, 'collectedAt')))) fail('collectedAt', 'is not a timestamp');
      const source = obj(root.source, 'source');
      str(source.url, 'source.url');
      if ('password' in source) fail('source', 'must not contain a password');
      const complete = bool(root.complete, 'complete');
      const errors = arr(root.errors, 'errors');
      errors.forEach((e, i) => {
        const o = obj(e, `errors[${i}]`);
        str(o.where, `errors[${i}].where`);
        str(o.message, `errors[${i}].message`);
      });
      if (complete && errors.length > 0) fail('complete', `is true but errors lists ${errors.length} failure(s): the file contradicts itself`);
      const forests = arr(root.forests, 'forests').map((f, i) => {
        const o = obj(f, `forests[${i}]`);
        strings(o.spnMappings, `forests[${i}].spnMappings`);
        strOrNull(o.dsHeuristics, `forests[${i}].dsHeuristics`);
        return str(o.rootDomain, `forests[${i}].rootDomain`).toLowerCase();
      });
      arr(root.domains, 'domains').forEach((d, i) => {
        const o = obj(d, `domains[${i}]`);
        const name = str(o.dnsName, `domains[${i}].dnsName`).toLowerCase();
        if (!forests.includes(str(o.forest, `domains[${i}].forest`).toLowerCase())) fail(`domains[${i}].forest`, `names forest '${o.forest}' that is not in forests[]`);
        strOrNull(o.netbiosName, `domains[${i}].netbiosName`);
        strOrNull(o.rodcGroupCreated, `domains[${i}].rodcGroupCreated`);
        if (domains.has(name)) fail(`domains[${i}].dnsName`, `'${name}' appears twice`);
        domains.add(name);
      });
      // The collector records an error whenever no domain is in scope; complete without one is an edit.
      if (complete && domains.size === 0) fail('complete', 'is true but no domain was collected: the file contradicts itself');
      return arr(root.accounts, 'accounts');
    });

  const account = (a: unknown, i: number): void =>
    reported(() => {
      const w = `accounts[${i}]`;
      const o = obj(a, w);
      const guid = str(o.objectGuid, w, 'objectGuid').toLowerCase();
      if (!GUID.test(guid)) fail(`${w}.objectGuid`, 'is not a GUID');
      if (guids.has(guid)) fail(`${w}.objectGuid`, `${guid} appears twice`);
      guids.add(guid);
      str(o.dn, w, 'dn');
      str(o.sAMAccountName, w, 'sAMAccountName');
      if (!ACCOUNT_KINDS.has(o.kind as string)) fail(`${w}.kind`, 'must be user, computer, gmsa or msa');
      if (!domains.has(str(o.domain, w, 'domain').toLowerCase())) fail(`${w}.domain`, `'${o.domain}' is not in domains[]`);
      num(o.userAccountControl, w, 'userAccountControl');
      numOrNull(o.userAccountControlComputed, w, 'userAccountControlComputed');
      numOrNull(o.supportedEncryptionTypes, w, 'supportedEncryptionTypes');
      strings(o.servicePrincipalNames, w, 'servicePrincipalNames');
      strings(o.allowedToDelegateTo, w, 'allowedToDelegateTo');
      strings(o.memberOf, w, 'memberOf');
      strings(o.objectClass, w, 'objectClass');
      stringsOrNull(o.allowedToActOnBehalfOf, w, 'allowedToActOnBehalfOf');
      stringsOrNull(o.groupMsaMembership, w, 'groupMsaMembership');
      for (const k of NULLABLE_STRING_FIELDS) strOrNull(o[k], w, k);
      bool(o.mustChangePassword, w, 'mustChangePassword');
      bool(o.privileged, w, 'privileged');
      numOrNull(o.adminCount, w, 'adminCount');
      numOrNull(o.primaryGroupId, w, 'primaryGroupId');
    });

  return { header, account };
}
