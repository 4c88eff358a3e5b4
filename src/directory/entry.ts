/**
 * A case-insensitive view of an LDAP entry (values as bytes, decoded here as UTF-8 without dropping
 * anything, a leading U+FEFF included), which also understands AD range
 * retrieval: a multi-valued attribute larger than MaxValRange comes back as
 * `servicePrincipalName;range=0-1499` (and an empty plain attribute) and must be completed.
 */
import type { Entry } from 'ldapts';

export interface RangeState {
  /** Attribute name without the range option, as returned. */
  attribute: string;
  /** Index of the next value to ask for, or null when the server said the range ended in '*'. */
  next: number | null;
}

export class LdapEntry {
  private readonly values = new Map<string, Array<string | Buffer>>();
  /** Every `attr;range=low-high` the entry carried, with the state after it (next null: it ended in '*'). */
  readonly ranges: RangeState[] = [];

  private constructor(readonly dn: string) {}

  /** From the attributes of a SearchResultEntry as read off the wire (see raw-search.ts). */
  static fromAttributes(dn: string, attributes: Iterable<{ type: string; values: Array<string | Buffer> }>): LdapEntry {
    const entry = new LdapEntry(dn);
    for (const { type, values } of attributes) entry.add(type, values);
    return entry;
  }

  /** From an entry as ldapts returns it (searches that do not go through raw-search.ts). */
  static fromEntry(raw: Entry): LdapEntry {
    const entry = new LdapEntry(raw.dn);
    for (const [name, value] of Object.entries(raw)) {
      if (name === 'dn') continue;
      entry.add(name, (Array.isArray(value) ? value : [value]) as Array<string | Buffer>);
    }
    return entry;
  }

  /** Ranged attributes that still have values to fetch. */
  get pendingRanges(): RangeState[] {
    return this.ranges.filter((r) => r.next !== null);
  }

  private add(name: string, list: Array<string | Buffer>): void {
    const range = name.includes(';') ? /^([^;]+);range=(\d+)-(\d+|\*)$/i.exec(name) : null;
    if (range) {
      const attr = range[1]!;
      this.append(attr, list);
      this.ranges.push({ attribute: attr, next: range[3] === '*' ? null : Number(range[3]) + 1 });
    } else {
      this.append(name, list);
    }
  }

  private append(name: string, list: Array<string | Buffer>): void {
    const key = name.toLowerCase();
    const existing = this.values.get(key);
    if (existing) existing.push(...list);
    else this.values.set(key, [...list]);
  }

  /** Merge the values of a follow-up `attr;range=N-*` request; returns the next state. */
  mergeRange(followUp: LdapEntry, attribute: string): RangeState {
    const key = attribute.toLowerCase();
    const state = followUp.ranges.find((r) => r.attribute.toLowerCase() === key);
    // No ranged attribute in the answer: the server has no more values to give.
    if (!state) return { attribute, next: null };
    this.append(attribute, followUp.values.get(key) ?? []);
    return { attribute, next: state.next };
  }

  strings(name: string): string[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  }

  string(name: string): string | null {
    const v = this.values.get(name.toLowerCase())?.[0];
    return v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : v;
  }

  buffers(name: string): Buffer[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
  }

  buffer(name: string): Buffer | null {
    const v = this.values.get(name.toLowerCase())?.[0];
    return v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
  }

  integer(name: string): number | null {
    const s = this.string(name);
    if (s === null || s === '') return null;
    if (!/^-?\d+$/.test(s)) throw new Error(`${name} is not an integer: ${JSON.stringify(s)}`);
    return Number(s);
  }
}

/** ldapts matches explicitBufferAttributes case-sensitively, so ask for every spelling we may get. */
export function bufferAttributeNames(names: readonly string[]): string[] {
  return [...new Set(names.flatMap((n) => [n, n.toLowerCase()]))];
}
