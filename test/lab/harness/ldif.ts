/** Just enough LDIF (RFC 2849) to write seed changes and to read ldapsearch/ldbsearch output. */

/** SAFE-STRING: no leading space, colon or '<', no trailing space, ASCII without NUL/CR/LF. */
function isSafe(value: string): boolean {
  return value === '' || (/^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' '));
}

export function ldifLine(attribute: string, value: string): string {
  return isSafe(value) ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export type LdifOp = { op: 'add' | 'replace' | 'delete'; attribute: string; values: readonly string[] };

export function ldifModify(dn: string, ops: readonly LdifOp[]): string {
  const lines = [ldifLine('dn', dn), 'changetype: modify'];
  for (const { op, attribute, values } of ops) {
    lines.push(`${op}: ${attribute}`, ...values.map((v) => ldifLine(attribute, v)), '-');
  }
  return `${lines.join('\n')}\n\n`;
}

export function ldifAdd(dn: string, attributes: Record<string, string | readonly string[]>): string {
  const lines = [ldifLine('dn', dn)];
  for (const [attribute, value] of Object.entries(attributes)) {
    for (const v of typeof value === 'string' ? [value] : value) lines.push(ldifLine(attribute, v));
  }
  return `${lines.join('\n')}\n\n`;
}

export interface LdifEntry {
  dn: string;
  /** Attribute names as the server sent them (e.g. "servicePrincipalName;range=0-1499"). */
  attributes: Map<string, string[]>;
  /** base64-decoded raw values, for binary attributes. */
  raw: Map<string, Buffer[]>;
}

/** Parses search output: unfolds continuation lines, decodes `::` values, skips comments and referrals. */
export function parseLdif(text: string): LdifEntry[] {
  const entries: LdifEntry[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n{2,}/)) {
    const lines: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(' ') && lines.length > 0) lines[lines.length - 1] += line.slice(1);
      else if (line && !line.startsWith('#')) lines.push(line);
    }
    let entry: LdifEntry | null = null;
    for (const line of lines) {
      const match = /^([^:]+)(::?) ?(.*)$/.exec(line);
      if (!match) continue;
      const [, name, sep, rest] = match as unknown as [string, string, string, string];
      const raw = sep === '::' ? Buffer.from(rest, 'base64') : Buffer.from(rest, 'utf8');
      const value = raw.toString('utf8');
      if (name === 'dn') {
        entry = { dn: value, attributes: new Map(), raw: new Map() };
        entries.push(entry);
      } else if (entry) {
        const list = entry.attributes.get(name) ?? [];
        list.push(value);
        entry.attributes.set(name, list);
        const rawList = entry.raw.get(name) ?? [];
        rawList.push(raw);
        entry.raw.set(name, rawList);
      }
    }
  }
  return entries;
}

/** Case-insensitive attribute lookup (LDAP attribute names are case-insensitive). */
export function values(entry: LdifEntry, attribute: string): string[] {
  for (const [name, list] of entry.attributes) if (name.toLowerCase() === attribute.toLowerCase()) return list;
  return [];
}

export function rawValues(entry: LdifEntry, attribute: string): Buffer[] {
  for (const [name, list] of entry.raw) if (name.toLowerCase() === attribute.toLowerCase()) return list;
  return [];
}
