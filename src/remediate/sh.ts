/**
 * POSIX sh command lines as data, for the samba-tool scripts. Values are single-quoted (quoteSh);
 * a value that starts with - is refused because samba-tool's option parser would read it as an
 * option, not as the account or SPN it is.
 */
import { quoteSh } from './quote.js';

export type ShArg = { lit: string } | { value: string };

const LITERAL = /^[A-Za-z0-9_\-./=:]+$/;

export function shArgv(args: readonly ShArg[]): string[] {
  return args.map((a) => ('lit' in a ? a.lit : a.value));
}

export function renderSh(args: readonly ShArg[]): string | null {
  const parts: string[] = [];
  for (const a of args) {
    if ('lit' in a) {
      if (!LITERAL.test(a.lit)) return null;
      parts.push(a.lit);
      continue;
    }
    if (a.value.startsWith('-')) return null;
    const q = quoteSh(a.value);
    if (q === null) return null;
    parts.push(q);
  }
  return parts.join(' ');
}
