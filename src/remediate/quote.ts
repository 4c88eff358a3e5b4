/**
 * Quoting of untrusted values (account names, SPNs, site names from AD or applicationHost.config)
 * for the shells our fixes are pasted into. When a value cannot be quoted safely the caller must
 * withhold the command and ask for manual review; these functions return null in that case.
 *
 * The guarantees are checked in test/unit/remediate/ by tokenizers for cmd.exe (+ the MSVC argv
 * rules programs use), PowerShell and POSIX sh over a corpus of hostile values.
 */

/** Characters no shell quoting makes safe to paste: controls, line breaks, bidi overrides, NUL. */
const NEVER_SAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** Plain tokens that need no quoting in either shell. */
const BARE = /^[A-Za-z0-9._\-/\\:@]+$/;

/**
 * MSVC argv rules: inside "…", a run of backslashes is literal unless a quote follows it, so the
 * run before the closing quote is doubled.
 */
function closeCmdQuote(value: string): string {
  const trailing = /\\+$/.exec(value)?.[0].length ?? 0;
  return `"${value}${'\\'.repeat(trailing)}"`;
}

/**
 * cmd.exe: inside double quotes `& | < > ( ) ^` are literal, but `%` is still expanded and `!` is
 * expanded under delayed expansion, and a `"` cannot be escaped reliably. Those make a value unsafe.
 * Non-ASCII letters are allowed; look-alike punctuation is not (code pages may fold it to ASCII).
 */
export function quoteCmd(value: string): string | null {
  if (value !== '' && BARE.test(value)) return value;
  return quoteCmdAlways(value);
}

/** Like quoteCmd, but always in double quotes (appcmd paths and values are written that way). */
export function quoteCmdAlways(value: string): string | null {
  if (NEVER_SAFE.test(value) || /["%!]/.test(value)) return null;
  if (/[^\p{L}\p{N} ._\-/\\:@&|<>()^$;,'=+#~[\]{}`*?]/u.test(value)) return null;
  return closeCmdQuote(value);
}

/**
 * For a line in a .cmd file: cmd.exe decodes batch files in the console's OEM code page, so only
 * printable ASCII is written (anything else could reach the program as a different string).
 */
export function quoteCmdScript(value: string, always = false): string | null {
  if (!/^[\x20-\x7e]*$/.test(value)) return null;
  return always ? quoteCmdAlways(value) : quoteCmd(value);
}

/**
 * PowerShell: single-quoted strings expand nothing; the only special character is the quote itself,
 * and PowerShell treats the typographic quotes U+2018/U+2019/U+201A/U+201B as single quotes too, so
 * every one of them is doubled.
 */
export function quotePowerShell(value: string): string | null {
  if (NEVER_SAFE.test(value)) return null;
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** Plain sh words: BARE without the backslash, which is an escape character in sh. */
const BARE_SH = /^[A-Za-z0-9._\-/:@]+$/;

/** POSIX sh (for samba-tool scripts): single quotes, with ' written as '\''. */
export function quoteSh(value: string): string | null {
  if (NEVER_SAFE.test(value)) return null;
  if (value !== '' && BARE_SH.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export type CommentStyle = 'cmd' | 'powershell' | 'sh';

const COMMENT_LIMIT = 300;

/**
 * Text for a comment line that stays one inert comment line: anything that could end the line,
 * change how the line is read (cmd's `%` expansion and `^` continuation, `&`, `|`, redirections,
 * quotes) or fool a reviewer (bidi overrides, look-alikes, invisible characters) is shown as
 * \u{XXXX}. cmd comments are ASCII only; PowerShell and sh comments keep letters and digits of any
 * script. Long values are cut with a count of what was left out.
 */
export function inertText(text: string, style: CommentStyle): string {
  const chars = [...text];
  const cut = chars.length > COMMENT_LIMIT ? chars.slice(0, COMMENT_LIMIT) : chars;
  const unsafeCmd = new Set(['%', '!', '^', '&', '|', '<', '>', '"']);
  const out = cut
    .map((c) => {
      const code = c.codePointAt(0) ?? 0;
      const printableAscii = code >= 0x20 && code <= 0x7e;
      const ok = style === 'cmd' ? printableAscii && !unsafeCmd.has(c) : printableAscii || /^[\p{L}\p{N}]$/u.test(c);
      return ok ? c : `\\u{${code.toString(16).toUpperCase().padStart(4, '0')}}`;
    })
    .join('');
  return chars.length > cut.length ? `${out}...(${chars.length - cut.length} more characters)` : out;
}
