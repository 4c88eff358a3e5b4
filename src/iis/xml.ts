import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UsageError, oneLine } from '../errors.js';

/** An element of a parsed config file: attributes decoded, children in document order, 1-based line. */
export interface XmlElement {
  name: string;
  attrs: ReadonlyMap<string, string>;
  children: XmlElement[];
  line: number;
}

/** applicationHost.config on a busy server is a few MB; anything far larger is not one, or is hostile. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are never expanded: no billion laughs, no external entity fetches. The five predefined
  // entities and character references in attribute values are decoded by decodeXmlText below.
  processEntities: false,
  htmlEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The library knows where each element starts; lines are derived from that offset.
  captureMetaData: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decode predefined entities and character references; any other `&name;` stays literal. */
export function decodeXmlText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

/** 1-based line of a character offset, by binary search over line start offsets. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * A DOCTYPE can only sit in the prolog (before the root element), and IIS never writes one. Refusing it
 * outright keeps entity tricks (billion laughs, XXE) out entirely. Returns the offset of a DOCTYPE or -1.
 */
function doctypeOffset(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s|\uFEFF/.test(text[i] as string)) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return -1;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return -1;
      i = end + 3;
    } else {
      return text.startsWith('<!DOCTYPE', i) ? i : -1;
    }
  }
}

type RawNode = Record<string, unknown> & { ':@'?: Record<string, unknown> };

/**
 * Parse a whole XML document into a tree of XmlElement. Malformed input throws UsageError naming
 * `file:line`; nothing of the document's content is echoed beyond the parser's own short message.
 */
export function parseXmlDocument(text: string, file: string): XmlElement {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new UsageError(`${file}: file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB; not an applicationHost.config spnaudit will read`);
  }
  const lineOf = lineIndex(text);
  const doctype = doctypeOffset(text);
  if (doctype >= 0) {
    throw new UsageError(`${file}:${lineOf(doctype)}: DOCTYPE declarations are not accepted (IIS never writes one; entities are not expanded)`);
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const line = verdict.err.line ?? 1;
    throw new UsageError(`${file}:${line}: malformed XML: ${oneLine(verdict.err.msg).slice(0, 300)}`);
  }
  let raw: RawNode[];
  try {
    raw = parser.parse(text) as RawNode[];
  } catch (err) {
    throw new UsageError(`${file}:1: the XML parser refused the document: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  }
  const roots = convert(raw, lineOf);
  const [root, second] = roots;
  if (!root) throw new UsageError(`${file}:1: no root element`);
  if (second) throw new UsageError(`${file}:${second.line}: more than one root element`);
  return root;
}

function convert(nodes: RawNode[], lineOf: (offset: number) => number): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@');
    if (name === undefined || name.startsWith('#') || name.startsWith('?')) continue;
    const attrs = new Map<string, string>();
    for (const [key, value] of Object.entries(node[':@'] ?? {})) {
      attrs.set(key, decodeXmlText(String(value)));
    }
    const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
    const children = node[name];
    out.push({
      name,
      attrs,
      children: Array.isArray(children) ? convert(children as RawNode[], lineOf) : [],
      line: lineOf(meta?.startIndex ?? 0),
    });
  }
  return out;
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((child) => child.name === name) : [];
}

export function firstChild(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((child) => child.name === name);
}

/** Follow a path of child names, taking the first match at each step. */
export function descend(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = element;
  for (const name of names) current = firstChild(current, name);
  return current;
}
