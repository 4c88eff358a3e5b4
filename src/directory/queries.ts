/**
 * The LDAP queries live as editable YAML files in queries/ so an admin can read exactly what the
 * tool asks the directory. They are loaded and validated once at start-up; a bad file is a
 * file:line usage error, never a silently different query.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { escapeFilter } from 'ldapts';
import { parseConfigText } from '../config/file.js';
import { UsageError } from '../errors.js';

export type QueryScope = 'base' | 'one' | 'sub';
export type ValueKind = 'string' | 'sid' | 'dn';

export interface QueryDef {
  id: string;
  why: string;
  /** Template: '{domainDn}', '{configurationNamingContext}', '' for the RootDSE / whole GC. */
  base: string;
  scope: QueryScope;
  /** May contain one {value} placeholder, filled with an escaped value. */
  filter: string;
  /** With {value}: several values are OR-ed into one filter. */
  combine: 'or' | null;
  valueKind: ValueKind;
  attributes: string[];
  binaryAttributes: string[];
  paged: boolean;
  /** A missing base object (e.g. no Directory Service object) is not an error. */
  optional: boolean;
  /**
   * An attribute (only uSNCreated is supported) to cut this search into disjoint ranges that
   * several connections to the same DC can run at once (--parallel); null: one search.
   */
  split: 'uSNCreated' | null;
  file: string;
}

export type QuerySet = Record<RequiredQuery, QueryDef>;

export const REQUIRED_QUERIES = [
  'rootdse',
  'partitions',
  'directory-service',
  'domain',
  'well-known-groups',
  'spn-holders',
  'accounts-by-name',
  'nested-groups',
] as const;
export type RequiredQuery = (typeof REQUIRED_QUERIES)[number];

export const DEFAULT_QUERIES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

const KNOWN_KEYS = new Set(['id', 'why', 'base', 'scope', 'filter', 'combine', 'valueKind', 'attributes', 'binaryAttributes', 'paged', 'optional', 'split']);
const BASE_PLACEHOLDERS = /\{(?!domainDn\}|configurationNamingContext\}|rootDomainNamingContext\})[^}]*\}/;

export async function loadQueries(dir: string = DEFAULT_QUERIES_DIR): Promise<QuerySet> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  } catch (err) {
    throw new UsageError(`cannot read the queries folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const raw = new Map<string, { data: Record<string, unknown>; file: string; lineOf: (p: string[]) => number | null }>();
  for (const name of names) {
    const file = path.join(dir, name);
    const loaded = parseConfigText(await readFile(file, 'utf8'), file);
    const id = loaded.data.id;
    if (typeof id !== 'string') throw new UsageError(`${file}:1: query file has no 'id'`);
    if (raw.has(id)) throw new UsageError(`${file}:${loaded.lineOf(['id']) ?? 1}: query id '${id}' is defined twice`);
    raw.set(id, { data: loaded.data, file, lineOf: loaded.lineOf });
  }
  const set: Partial<QuerySet> = {};
  for (const id of REQUIRED_QUERIES) {
    const entry = raw.get(id);
    if (!entry) throw new UsageError(`${dir}: required query '${id}' is missing (expected a file with id: ${id})`);
    set[id] = validateQuery(entry, raw);
  }
  return set as QuerySet;
}

function validateQuery(
  entry: { data: Record<string, unknown>; file: string; lineOf: (p: string[]) => number | null },
  all: Map<string, { data: Record<string, unknown> }>,
): QueryDef {
  const { data, file, lineOf } = entry;
  const at = (key: string) => `${file}:${lineOf([key]) ?? 1}`;
  for (const key of Object.keys(data)) {
    if (!KNOWN_KEYS.has(key)) throw new UsageError(`${at(key)}: unknown key '${key}' in query file`);
  }
  const str = (key: string, required = true): string => {
    const v = data[key];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string') throw new UsageError(`${at(key)}: '${key}' must be a string`);
    return v;
  };
  const list = (key: string): string[] => {
    let v = data[key];
    if (v === undefined) return [];
    // '@other-query' reuses another query's list, so account attributes are defined once.
    if (typeof v === 'string' && v.startsWith('@')) v = all.get(v.slice(1))?.data[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !/^[A-Za-z][A-Za-z0-9-]*$/.test(x))) {
      throw new UsageError(`${at(key)}: '${key}' must be a list of attribute names`);
    }
    return v as string[];
  };
  const base = str('base');
  if (BASE_PLACEHOLDERS.test(base)) throw new UsageError(`${at('base')}: unknown placeholder in base '${base}'`);
  const scope = str('scope');
  if (scope !== 'base' && scope !== 'one' && scope !== 'sub') throw new UsageError(`${at('scope')}: scope must be base, one or sub`);
  const filter = str('filter');
  if (!filter.startsWith('(') || !filter.endsWith(')') || !balanced(filter)) {
    throw new UsageError(`${at('filter')}: filter must be a parenthesized LDAP filter`);
  }
  const combine = data.combine === undefined ? null : data.combine;
  if (combine !== null && combine !== 'or') throw new UsageError(`${at('combine')}: combine must be 'or'`);
  const valueKind = (data.valueKind ?? 'string') as ValueKind;
  if (!['string', 'sid', 'dn'].includes(valueKind)) throw new UsageError(`${at('valueKind')}: valueKind must be string, sid or dn`);
  const attributes = list('attributes');
  const binaryAttributes = list('binaryAttributes');
  for (const b of binaryAttributes) {
    if (!attributes.includes(b)) throw new UsageError(`${at('binaryAttributes')}: binary attribute '${b}' is not in attributes`);
  }
  const split = data.split === undefined ? null : data.split;
  if (split !== null) {
    if (split !== 'uSNCreated') throw new UsageError(`${at('split')}: split must be uSNCreated (every object has one, and it never changes on a DC)`);
    if (scope !== 'sub' || data.paged !== true || filter.includes('{value}')) {
      throw new UsageError(`${at('split')}: split needs a paged subtree search without {value}`);
    }
  }
  return {
    id: str('id'),
    why: str('why'),
    base,
    scope,
    filter,
    combine,
    valueKind,
    attributes,
    binaryAttributes,
    paged: data.paged === true,
    optional: data.optional === true,
    split,
    file,
  };
}

function balanced(filter: string): boolean {
  let depth = 0;
  for (const ch of filter.replace(/\\./g, '')) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export interface NamingContexts {
  domainDn?: string;
  configurationNamingContext?: string;
  rootDomainNamingContext?: string;
}

export function resolveBase(query: QueryDef, nc: NamingContexts): string {
  return query.base.replace(/\{(\w+)\}/g, (_, key: keyof NamingContexts) => {
    const value = nc[key];
    if (value === undefined) throw new Error(`query ${query.id}: naming context ${key} is not known`);
    return value;
  });
}

/** A SID string as the binary-escaped octet string LDAP filters need (works on AD and Samba alike). */
export function sidToFilterValue(sid: string): string {
  const m = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(sid);
  if (!m) throw new Error(`not a SID: ${sid}`);
  const subs = m[3] ? m[3].slice(1).split('-').map(Number) : [];
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf.writeUInt8(Number(m[1]), 0);
  buf.writeUInt8(subs.length, 1);
  buf.writeUIntBE(Number(m[2]), 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return [...buf].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

function escapeValue(value: string, kind: ValueKind): string {
  if (kind === 'sid') return sidToFilterValue(value);
  return escapeFilter`${value}`;
}

/** The filter(s) for a query: values are escaped, OR-ed in batches so filters stay a sane size. */
export function buildFilters(query: QueryDef, values: readonly string[] = [], batchSize = 50): string[] {
  if (!query.filter.includes('{value}')) return [query.filter];
  const one = (v: string) => query.filter.replace('{value}', () => escapeValue(v, query.valueKind));
  if (query.combine !== 'or') return values.map(one);
  const filters: string[] = [];
  for (let i = 0; i < values.length; i += batchSize) {
    const batch = values.slice(i, i + batchSize).map(one);
    filters.push(batch.length === 1 ? batch[0]! : `(|${batch.join('')})`);
  }
  return filters;
}
