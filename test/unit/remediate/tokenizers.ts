/**
 * Small, independent tokenizers for the three shells the plan writes, used to prove that every
 * generated line runs exactly the intended command. They are strict: anything outside the subset
 * they model is reported as an error (a generated line that needs it fails the test).
 *
 * Limits (documented, on purpose):
 * - cmd.exe: one batch-file line. Phase 1 `%` expansion (`%%` → `%`, `%name%` from the given
 *   environment, anything else with `%` is an error, as `%~` aborts a batch), delayed expansion
 *   OFF (the scripts say DisableDelayedExpansion), phase 2 quotes / `^` escapes / `& && | || < >`
 *   splitting, `(` `)` outside quotes are errors (no blocks modelled), a trailing `^` is an error
 *   (line continuation). REM lines are comments only when they carry no `%`, no `^` and none of
 *   `& | < > "`. Then the program's argv by the MSVC rules (CommandLineToArgvW / msvcrt 2008+):
 *   backslashes are literal unless they precede a quote, `2n\"` → n backslashes + quote toggle,
 *   `2n+1\"` → n backslashes + a literal quote. Code pages are not modelled (the writer emits
 *   ASCII only).
 * - PowerShell: one line of the subset the plan writes: a command name, `-Param`, `-Param:value`,
 *   single-quoted strings (all five single-quote characters, doubling as PowerShell's tokenizer
 *   does), `$true` `$false` `$null`, integers, bare words and comma lists, `@(…)` and `@{…}` of
 *   those. Double-quoted strings (any of " “ ” „), `$var`, `$(`, `;`, `|`, `&`, backtick, `#`,
 *   `(` `)` `{` `}` outside those forms are errors. Lines starting with `#` are comments.
 * - POSIX sh: one simple command: words split on blanks, single quotes, backslash escapes outside
 *   quotes; double quotes, `$`, backquote, `; & | < > ( )`, unquoted globs `* ? [`, a word starting
 *   with `#` or `~`, and any control character are errors. Lines starting with `#` are comments.
 */

export class TokenizeError extends Error {}

// ---------------------------------------------------------------- cmd.exe + MSVC argv

export interface CmdSegment {
  argv: string[];
  /** Operator that follows this segment: '&&', '||', '&', '|', or null at the end. */
  op: string | null;
}

export type CmdLineResult = { kind: 'comment' } | { kind: 'blank' } | { kind: 'label'; name: string } | { kind: 'commands'; segments: CmdSegment[] };

export function msvcArgv(commandLine: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = commandLine.length;
  while (i < n) {
    while (i < n && (commandLine[i] === ' ' || commandLine[i] === '\t')) i++;
    if (i >= n) break;
    let arg = '';
    let inQuotes = false;
    while (i < n) {
      const c = commandLine[i]!;
      if (!inQuotes && (c === ' ' || c === '\t')) break;
      if (c === '\\') {
        let k = i;
        while (k < n && commandLine[k] === '\\') k++;
        const count = k - i;
        if (commandLine[k] === '"') {
          arg += '\\'.repeat(Math.floor(count / 2));
          if (count % 2 === 1) {
            arg += '"';
            i = k + 1;
          } else {
            i = k;
          }
        } else {
          arg += '\\'.repeat(count);
          i = k;
        }
        continue;
      }
      if (c === '"') {
        if (inQuotes && commandLine[i + 1] === '"') {
          arg += '"';
          i += 2;
          continue;
        }
        inQuotes = !inQuotes;
        i++;
        continue;
      }
      arg += c;
      i++;
    }
    args.push(arg);
  }
  return args;
}

function expandPercent(line: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (line[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const end = line.indexOf('%', i + 1);
    const name = end < 0 ? '' : line.slice(i + 1, end);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !(name.toLowerCase() in env)) throw new TokenizeError(`cmd: unmodelled % expansion at ${i}: ${JSON.stringify(line.slice(i, i + 12))}`);
    out += env[name.toLowerCase()];
    i = end;
  }
  return out;
}

export function tokenizeCmdLine(line: string, env: Record<string, string> = { windir: 'C:\\Windows' }): CmdLineResult {
  if (/[\n\u0000]/.test(line)) throw new TokenizeError('cmd: a line cannot contain LF or NUL');
  const text = line.replace(/\r$/, '');
  if (text.includes('\r')) throw new TokenizeError('cmd: CR inside a line');
  if (text.trim() === '') return { kind: 'blank' };
  if (/^\s*rem(\s|$)/i.test(text)) {
    if (/[%^&|<>"]/.test(text)) throw new TokenizeError(`cmd: REM line with a character cmd may still process: ${JSON.stringify(text.slice(0, 80))}`);
    return { kind: 'comment' };
  }
  if (/^:[A-Za-z]+$/.test(text)) return { kind: 'label', name: text.slice(1) };
  const expanded = expandPercent(text, env);
  const segments: CmdSegment[] = [];
  let current = '';
  let inQuotes = false;
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c === '"') {
      inQuotes = !inQuotes;
      current += c;
      continue;
    }
    if (inQuotes) {
      current += c;
      continue;
    }
    if (c === '^') {
      if (i + 1 >= expanded.length) throw new TokenizeError('cmd: trailing ^ continues the line');
      current += expanded[++i];
      continue;
    }
    if (c === '(' || c === ')') throw new TokenizeError('cmd: unquoted parenthesis (blocks are not modelled)');
    if (c === '&' || c === '|') {
      const double = expanded[i + 1] === c;
      segments.push({ argv: msvcArgv(current), op: double ? c + c : c });
      current = '';
      if (double) i++;
      continue;
    }
    if (c === '<' || c === '>') {
      // Only the footer's "1>&2" is ours; anything else is a redirection we did not intend.
      if (expanded.slice(i - 1, i + 3) === '1>&2' && i + 3 === expanded.length) {
        current = current.slice(0, -1);
        segments.push({ argv: msvcArgv(current), op: '1>&2' });
        current = '';
        i += 2;
        continue;
      }
      throw new TokenizeError('cmd: unquoted redirection');
    }
    current += c;
  }
  if (inQuotes) throw new TokenizeError('cmd: unbalanced quote');
  if (current.trim() !== '' || segments.length === 0) segments.push({ argv: msvcArgv(current), op: null });
  else segments[segments.length - 1]!.op = segments[segments.length - 1]!.op ?? null;
  return { kind: 'commands', segments };
}

// ---------------------------------------------------------------- PowerShell

export type PsToken =
  | { t: 'param'; name: string; colonValue?: PsToken }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'int'; v: number }
  | { t: 'bare'; v: string }
  | { t: 'list'; items: PsToken[] }
  | { t: 'array'; items: PsToken[] }
  | { t: 'hash'; entries: Array<[string, PsToken]> };

export type PsLineResult = { kind: 'comment' } | { kind: 'blank' } | { kind: 'command'; name: string; elements: PsToken[] };

const PS_SINGLE = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const PS_DOUBLE = new Set(['"', '\u201c', '\u201d', '\u201e']);
const PS_DASH = new Set(['-', '\u2013', '\u2014', '\u2015']);

class PsReader {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.i];
  }
  eof(): boolean {
    return this.i >= this.s.length;
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  fail(why: string): never {
    throw new TokenizeError(`powershell: ${why} at ${this.i}: ${JSON.stringify(this.s.slice(this.i, this.i + 20))}`);
  }

  singleQuoted(): string {
    this.i++; // opening quote
    let out = '';
    for (;;) {
      if (this.eof()) this.fail('unterminated single-quoted string');
      const c = this.s[this.i]!;
      if (PS_SINGLE.has(c)) {
        const next = this.s[this.i + 1];
        if (next !== undefined && PS_SINGLE.has(next)) {
          out += next;
          this.i += 2;
          continue;
        }
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
  }

  /** One value; `inList` stops at ',' so lists are built by the caller. */
  atom(): PsToken {
    const c = this.peek();
    if (c === undefined) this.fail('value expected');
    if (PS_SINGLE.has(c)) return { t: 'str', v: this.singleQuoted() };
    if (PS_DOUBLE.has(c)) this.fail('double-quoted (expandable) string');
    if (c === '$') {
      const m = /^\$(true|false|null)(?![A-Za-z0-9_:])/i.exec(this.s.slice(this.i));
      if (!m) this.fail('variable or subexpression');
      this.i += m[0].length;
      const w = m[1]!.toLowerCase();
      return w === 'null' ? { t: 'null' } : { t: 'bool', v: w === 'true' };
    }
    if (c === '@' && this.s[this.i + 1] === '(') {
      this.i += 2;
      const items: PsToken[] = [];
      this.skipSpaces();
      while (this.peek() !== ')') {
        items.push(this.atom());
        this.skipSpaces();
        if (this.peek() === ',') {
          this.i++;
          this.skipSpaces();
        } else if (this.peek() !== ')') this.fail("',' or ')' expected");
      }
      this.i++;
      return { t: 'array', items };
    }
    if (c === '@' && this.s[this.i + 1] === '{') {
      this.i += 2;
      const entries: Array<[string, PsToken]> = [];
      this.skipSpaces();
      while (this.peek() !== '}') {
        let key: string;
        if (PS_SINGLE.has(this.peek() ?? '')) key = this.singleQuoted();
        else {
          const m = /^[A-Za-z][A-Za-z0-9]*/.exec(this.s.slice(this.i));
          if (!m) this.fail('hashtable key expected');
          key = m[0];
          this.i += key.length;
        }
        this.skipSpaces();
        if (this.peek() !== '=') this.fail("'=' expected");
        this.i++;
        this.skipSpaces();
        const first = this.atom();
        const value = this.maybeList(first);
        entries.push([key, value]);
        this.skipSpaces();
        if (this.peek() === ';') {
          this.i++;
          this.skipSpaces();
        } else if (this.peek() !== '}') this.fail("';' or '}' expected");
      }
      this.i++;
      return { t: 'hash', entries };
    }
    const m = /^[A-Za-z0-9]+/.exec(this.s.slice(this.i));
    if (!m) this.fail('unexpected character');
    this.i += m[0].length;
    return /^\d+$/.test(m[0]) ? { t: 'int', v: Number(m[0]) } : { t: 'bare', v: m[0] };
  }

  maybeList(first: PsToken): PsToken {
    if (this.peek() !== ',') return first;
    const items = [first];
    while (this.peek() === ',') {
      this.i++;
      items.push(this.atom());
    }
    return { t: 'list', items };
  }
}

export function tokenizePowerShellLine(line: string): PsLineResult {
  if (/[\r\n\u0000\u2028\u2029\u0085]/.test(line)) throw new TokenizeError('powershell: a line cannot contain a line break or NUL');
  const text = line.replace(/^\ufeff/, '');
  if (text.trim() === '') return { kind: 'blank' };
  if (text.trimStart().startsWith('#')) return { kind: 'comment' };
  const r = new PsReader(text);
  const nameMatch = /^[A-Za-z][A-Za-z0-9-]*/.exec(text);
  if (!nameMatch) throw new TokenizeError('powershell: command name expected');
  r.i = nameMatch[0].length;
  const elements: PsToken[] = [];
  for (;;) {
    const before = r.i;
    r.skipSpaces();
    if (r.eof()) break;
    if (r.i === before) r.fail('blank expected between elements');
    const c = r.peek()!;
    if (PS_DASH.has(c)) {
      r.i++;
      const m = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(r.i));
      if (!m) throw new TokenizeError(`powershell: parameter name expected at ${r.i}`);
      r.i += m[0].length;
      if (r.peek() === ':') {
        r.i++;
        elements.push({ t: 'param', name: m[0], colonValue: r.maybeList(r.atom()) });
      } else {
        elements.push({ t: 'param', name: m[0] });
      }
      continue;
    }
    if ('#;|&`(){}'.includes(c)) r.fail(`special character ${c}`);
    elements.push(r.maybeList(r.atom()));
  }
  return { kind: 'command', name: nameMatch[0], elements };
}

// ---------------------------------------------------------------- POSIX sh

export type ShLineResult = { kind: 'comment' } | { kind: 'blank' } | { kind: 'command'; argv: string[] };

export function tokenizeShLine(line: string): ShLineResult {
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(line)) throw new TokenizeError('sh: control character in a line');
  if (line.trim() === '') return { kind: 'blank' };
  if (line.trimStart().startsWith('#')) return { kind: 'comment' };
  const argv: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    if (line[i] === '#' || line[i] === '~') throw new TokenizeError(`sh: word starting with ${line[i]}`);
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new TokenizeError('sh: unterminated single quote');
        word += line.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      if (c === '\\') {
        if (i + 1 >= line.length) throw new TokenizeError('sh: trailing backslash');
        word += line[i + 1];
        i += 2;
        continue;
      }
      if ('"$`;&|<>()*?['.includes(c)) throw new TokenizeError(`sh: unquoted ${c}`);
      word += c;
      i++;
    }
    argv.push(word);
  }
  return { kind: 'command', argv };
}
