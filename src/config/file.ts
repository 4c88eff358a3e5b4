import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors.js';

/**
 * A config file (YAML or JSON, which is YAML) loaded with line positions kept, so every validation
 * error can name `file:line`. Sections: `ldap`, `iis`, `inventory`, `suppress`, `tickets`.
 */
export interface LoadedConfig {
  file: string;
  data: Record<string, unknown>;
  /** 1-based line of the value at a path like ['inventory', 'servers', 0, 'fqdn'], if present. */
  lineOf(path: ReadonlyArray<string | number>): number | null;
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new UsageError(`${file}:${line}: ${first.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${file}:1: the config file must be a mapping (key: value), not ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const lineOf = (path: ReadonlyArray<string | number>): number | null => {
    let node: unknown = doc.contents;
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node) && typeof key === 'number') node = node.get(key, true);
      else return null;
    }
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : null;
  };
  return { file, data: data as Record<string, unknown>, lineOf };
}
