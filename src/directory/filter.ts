/**
 * RFC 4515 filter text → ldapts Filter objects with every escaped byte sent as that byte.
 *
 * ldapts' own FilterParser turns `\XX` into the character U+00XX and then writes the value as UTF-8,
 * so any escape of a byte ≥ 0x80 reaches the server as two bytes: a binary objectSid filter silently
 * matches nothing (and a non-ASCII name written as escapes would not match either). Values here are
 * decoded to bytes: raw characters as UTF-8, `\XX` as the single byte XX.
 */
import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

export function toLdapFilter(text: string): Filter {
  const parser = { text, at: 0 };
  const filter = parseFilter(parser);
  if (parser.at !== text.length) throw new FilterSyntaxError(`unexpected text after the filter at position ${parser.at}: ${text}`);
  return filter;
}

function parseFilter(p: { text: string; at: number }): Filter {
  if (p.text[p.at] !== '(') throw new FilterSyntaxError(`expected '(' at position ${p.at}: ${p.text}`);
  p.at++;
  let filter: Filter;
  const kind = p.text[p.at];
  if (kind === '&' || kind === '|') {
    p.at++;
    const filters: Filter[] = [];
    while (p.text[p.at] === '(') filters.push(parseFilter(p));
    if (filters.length === 0) throw new FilterSyntaxError(`empty '${kind}' at position ${p.at}: ${p.text}`);
    filter = kind === '&' ? new AndFilter({ filters }) : new OrFilter({ filters });
  } else if (kind === '!') {
    p.at++;
    filter = new NotFilter({ filter: parseFilter(p) });
  } else {
    const end = p.text.indexOf(')', p.at);
    if (end < 0) throw new FilterSyntaxError(`unbalanced parentheses: ${p.text}`);
    filter = parseItem(p.text.slice(p.at, end), p.text);
    p.at = end;
  }
  if (p.text[p.at] !== ')') throw new FilterSyntaxError(`expected ')' at position ${p.at}: ${p.text}`);
  p.at++;
  return filter;
}

const ATTRIBUTE = /^[A-Za-z0-9][A-Za-z0-9;.-]*$/;

function parseItem(item: string, whole: string): Filter {
  if (item.includes('(')) throw new FilterSyntaxError(`unescaped '(' in a value: ${whole}`);
  const eq = item.indexOf('=');
  if (eq <= 0) throw new FilterSyntaxError(`no attribute=value in '${item}': ${whole}`);
  const prefix = item.slice(0, eq);
  const raw = item.slice(eq + 1);
  const attribute = (name: string): string => {
    if (!ATTRIBUTE.test(name)) throw new FilterSyntaxError(`'${name}' is not an attribute description: ${whole}`);
    return name;
  };
  const last = prefix.at(-1);
  if (last === ':') {
    const parts = prefix.slice(0, -1).split(':');
    const matchType = parts.shift() ?? '';
    const dnAttributes = parts[0]?.toLowerCase() === 'dn';
    if (dnAttributes) parts.shift();
    const rule = parts.shift();
    if (parts.length > 0 || (!matchType && !rule)) throw new FilterSyntaxError(`malformed extensible match '${item}': ${whole}`);
    return new ExtensibleFilter({ matchType: matchType ? attribute(matchType) : '', dnAttributes, ...(rule ? { rule } : {}), value: textValue(raw, whole) });
  }
  if (last === '~') return new ApproximateFilter({ attribute: attribute(prefix.slice(0, -1)), value: textValue(raw, whole) });
  if (last === '>') return new GreaterThanEqualsFilter({ attribute: attribute(prefix.slice(0, -1)), value: textValue(raw, whole) });
  if (last === '<') return new LessThanEqualsFilter({ attribute: attribute(prefix.slice(0, -1)), value: textValue(raw, whole) });
  const name = attribute(prefix);
  if (raw === '*') return new PresenceFilter({ attribute: name });
  if (raw.includes('*')) {
    const [initial = '', ...rest] = raw.split('*');
    const final = rest.pop() ?? '';
    return new SubstringFilter({ attribute: name, initial: textValue(initial, whole), any: rest.map((v) => textValue(v, whole)), final: textValue(final, whole) });
  }
  return new EqualityFilter({ attribute: name, value: bytesOf(raw, whole) });
}

/** An assertion value's bytes: `\XX` is one byte, anything else its UTF-8 encoding. */
export function bytesOf(value: string, whole = value): Buffer {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new FilterSyntaxError(`'\\${hex}' is not a two-digit hex escape: ${whole}`);
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const cp = value.codePointAt(i)!;
      if (cp > 0xffff) i++;
      out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return Buffer.from(out);
}

/** ldapts writes these values as UTF-8 strings: only a value whose bytes are UTF-8 survives that. */
function textValue(value: string, whole: string): string {
  const bytes = bytesOf(value, whole);
  const decoded = bytes.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(bytes)) throw new FilterSyntaxError(`binary values are only supported in equality assertions: ${whole}`);
  return decoded;
}
