/**
 * Quoting of untrusted values (account names, SPNs, site names from AD or applicationHost.config)
 * for the shells our fixes are pasted into. When a value cannot be quoted safely the caller must
 * withhold the command and ask for manual review; these functions return null in that case.
 */

/** Characters no shell quoting makes safe to paste: controls, line breaks, bidi overrides, NUL. */
const NEVER_SAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** Plain tokens that need no quoting in either shell. */
const BARE = /^[A-Za-z0-9._\-/\\:@]+$/;

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
  return `"${value}"`;
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

/** POSIX sh (for samba-tool scripts): single quotes, with ' written as '\''. */
export function quoteSh(value: string): string | null {
  if (NEVER_SAFE.test(value)) return null;
  if (value !== '' && BARE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
