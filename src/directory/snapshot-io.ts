/**
 * Snapshot files: written streamingly (one account per line, then an atomic rename, so a crash
 * never leaves a half-written snapshot under the real name) and read back with validation that
 * turns a truncated, hand-edited or foreign file into one clear error — never a wrong clean verdict.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Snapshot } from '../model/directory.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../model/directory.js';
import { UsageError } from '../errors.js';

export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    const { accounts, ...header } = snapshot;
    const headerJson = JSON.stringify(header, null, 2);
    await handle.write(`${headerJson.slice(0, -2)},\n  "accounts": [`);
    let first = true;
    for (const account of accounts) {
      await handle.write(`${first ? '' : ','}\n    ${JSON.stringify(account)}`);
      first = false;
    }
    await handle.write(`${first ? '' : '\n  '}]\n}\n`);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read snapshot ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseSnapshot(text, file);
}

export function parseSnapshot(text: string, file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)?.[1];
    const line = pos ? text.slice(0, Number(pos)).split('\n').length : null;
    throw new UsageError(`${file}${line ? `:${line}` : ''}: not valid JSON (${(err as Error).message.split('\n')[0]}); is the snapshot truncated?`);
  }
  validateSnapshot(data, file);
  return data;
}

class Invalid extends Error {}

function validateSnapshot(data: unknown, file: string): asserts data is Snapshot {
  const fail = (where: string, what: string): never => {
    throw new Invalid(`${where}: ${what}`);
  };
  const obj = (v: unknown, where: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(where, 'must be an object');
  const arr = (v: unknown, where: string): unknown[] => (Array.isArray(v) ? v : fail(where, 'must be an array'));
  const str = (v: unknown, where: string): string => (typeof v === 'string' ? v : fail(where, 'must be a string'));
  const strOrNull = (v: unknown, where: string): string | null => (v === null ? null : str(v, where));
  const num = (v: unknown, where: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(where, 'must be a number'));
  const numOrNull = (v: unknown, where: string): number | null => (v === null ? null : num(v, where));
  const bool = (v: unknown, where: string): boolean => (typeof v === 'boolean' ? v : fail(where, 'must be true or false'));
  const strings = (v: unknown, where: string): string[] => arr(v, where).map((x, i) => str(x, `${where}[${i}]`));
  const stringsOrNull = (v: unknown, where: string): string[] | null => (v === null ? null : strings(v, where));

  try {
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
    const domains = new Set<string>();
    arr(root.domains, 'domains').forEach((d, i) => {
      const o = obj(d, `domains[${i}]`);
      const name = str(o.dnsName, `domains[${i}].dnsName`).toLowerCase();
      if (!forests.includes(str(o.forest, `domains[${i}].forest`).toLowerCase())) fail(`domains[${i}].forest`, `names forest '${o.forest}' that is not in forests[]`);
      strOrNull(o.netbiosName, `domains[${i}].netbiosName`);
      strOrNull(o.rodcGroupCreated, `domains[${i}].rodcGroupCreated`);
      domains.add(name);
    });
    const guids = new Set<string>();
    arr(root.accounts, 'accounts').forEach((a, i) => {
      const w = `accounts[${i}]`;
      const o = obj(a, w);
      const guid = str(o.objectGuid, `${w}.objectGuid`).toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(guid)) fail(`${w}.objectGuid`, 'is not a GUID');
      if (guids.has(guid)) fail(`${w}.objectGuid`, `${guid} appears twice`);
      guids.add(guid);
      str(o.dn, `${w}.dn`);
      str(o.sAMAccountName, `${w}.sAMAccountName`);
      if (!['user', 'computer', 'gmsa', 'msa'].includes(o.kind as string)) fail(`${w}.kind`, 'must be user, computer, gmsa or msa');
      if (!domains.has(str(o.domain, `${w}.domain`).toLowerCase())) fail(`${w}.domain`, `'${o.domain}' is not in domains[]`);
      num(o.userAccountControl, `${w}.userAccountControl`);
      numOrNull(o.userAccountControlComputed, `${w}.userAccountControlComputed`);
      numOrNull(o.supportedEncryptionTypes, `${w}.supportedEncryptionTypes`);
      strings(o.servicePrincipalNames, `${w}.servicePrincipalNames`);
      strings(o.allowedToDelegateTo, `${w}.allowedToDelegateTo`);
      strings(o.memberOf, `${w}.memberOf`);
      strings(o.objectClass, `${w}.objectClass`);
      stringsOrNull(o.allowedToActOnBehalfOf, `${w}.allowedToActOnBehalfOf`);
      stringsOrNull(o.groupMsaMembership, `${w}.groupMsaMembership`);
      for (const k of ['objectSid', 'userPrincipalName', 'pwdLastSet', 'accountExpires', 'whenCreated', 'lastLogonTimestamp', 'dnsHostName'] as const) {
        strOrNull(o[k], `${w}.${k}`);
      }
      bool(o.mustChangePassword, `${w}.mustChangePassword`);
      bool(o.privileged, `${w}.privileged`);
      numOrNull(o.adminCount, `${w}.adminCount`);
      numOrNull(o.primaryGroupId, `${w}.primaryGroupId`);
    });
  } catch (err) {
    if (err instanceof Invalid) throw new UsageError(`${file}: invalid snapshot: ${err.message}`);
    throw err;
  }
}

