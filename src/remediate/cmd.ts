/**
 * cmd.exe command lines as data. A program's arguments reach it through two parsers: cmd.exe
 * (`%` expansion, `^` escapes, `& | < > ( )` outside quotes) and the program's own MSVC argv rules
 * (quotes, backslashes before quotes). Literal arguments are our vocabulary and must match a narrow
 * pattern; values are quoted with quoteCmdScript or the command is withheld.
 */
import { quoteCmdScript } from './quote.js';

export type CmdArg =
  /** Our own switch or word, e.g. -S, set, /commit:apphost. */
  | { lit: string }
  /**
   * An untrusted value, optionally glued to a literal prefix (`/useAppPoolCredentials:` + "True").
   * `quote: 'always'` writes it in double quotes even when it needs none (appcmd style).
   */
  | { value: string; prefix?: string; quote?: 'always' | 'auto' };

export interface CmdCommand {
  /** Program as written: setspn, powershell.exe or %windir%\system32\inetsrv\appcmd.exe. */
  program: string;
  args: CmdArg[];
}

const LITERAL = /^[A-Za-z0-9\-/:._\\=+]+$/;
const PROGRAM = /^(?:%windir%\\)?[A-Za-z0-9\\._-]+$/;

/** The argv the program receives (MSVC rules), given the environment cmd.exe expands. */
export function cmdArgv(cmd: CmdCommand, env: Record<string, string> = { windir: 'C:\\Windows' }): string[] {
  const program = cmd.program.replace(/%([A-Za-z]+)%/g, (_m, name: string) => env[name.toLowerCase()] ?? '');
  return [program, ...cmd.args.map((a) => ('lit' in a ? a.lit : `${a.prefix ?? ''}${a.value}`))];
}

/**
 * One line for a .cmd file, or null when a value cannot be written safely. A standalone value that
 * starts with - or / is refused too: setspn and appcmd would read it as a switch.
 */
export function renderCmd(cmd: CmdCommand): string | null {
  if (!PROGRAM.test(cmd.program)) return null;
  const parts = [cmd.program];
  for (const a of cmd.args) {
    if ('lit' in a) {
      if (!LITERAL.test(a.lit)) return null;
      parts.push(a.lit);
      continue;
    }
    const prefix = a.prefix ?? '';
    if (prefix !== '' && !LITERAL.test(prefix)) return null;
    if (prefix === '' && /^[-/]/.test(a.value)) return null;
    const q = quoteCmdScript(a.value, a.quote === 'always');
    if (q === null) return null;
    parts.push(`${prefix}${q}`);
  }
  return parts.join(' ');
}
