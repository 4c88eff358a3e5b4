/**
 * A case-insensitive view of an LDAP entry as ldapts returns it, which also understands AD range
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
  readonly dn: string;
  private readonly values = new Map<string, Array<string | Buffer>>();
  readonly pendingRanges: RangeState[] = [];

  constructor(entry: Entry) {
    this.dn = entry.dn;
    for (const [name, raw] of Object.entries(entry)) {
      if (name === 'dn') continue;
      const list = (Array.isArray(raw) ? raw : [raw]) as Array<string | Buffer>;
      const range = /^([^;]+);range=(\d+)-(\d+|\*)$/i.exec(name);
      if (range) {
        const attr = range[1]!;
        this.append(attr, list);
        if (range[3] !== '*') this.pendingRanges.push({ attribute: attr, next: Number(range[3]) + 1 });
      } else {
        this.append(name, list);
      }
    }
  }

  private append(name: string, list: Array<string | Buffer>): void {
    const key = name.toLowerCase();
    const existing = this.values.get(key);
    if (existing) existing.push(...list);
    else this.values.set(key, [...list]);
  }

  /** Merge the values of a follow-up `attr;range=N-*` request; returns the next state. */
  mergeRange(followUp: Entry, attribute: string): RangeState {
    for (const [name, raw] of Object.entries(followUp)) {
      const range = /^([^;]+);range=(\d+)-(\d+|\*)$/i.exec(name);
      if (!range || range[1]!.toLowerCase() !== attribute.toLowerCase()) continue;
      this.append(attribute, (Array.isArray(raw) ? raw : [raw]) as Array<string | Buffer>);
      return { attribute, next: range[3] === '*' ? null : Number(range[3]) + 1 };
    }
    // No ranged attribute in the answer: the server has no more values to give.
    return { attribute, next: null };
  }

  strings(name: string): string[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  }

  string(name: string): string | null {
    return this.strings(name)[0] ?? null;
  }

  buffers(name: string): Buffer[] {
    return (this.values.get(name.toLowerCase()) ?? []).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
  }

  buffer(name: string): Buffer | null {
    return this.buffers(name)[0] ?? null;
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
