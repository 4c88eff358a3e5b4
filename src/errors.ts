/**
 * Exit codes are a public contract (scripts and schedulers key on them).
 * 0 ok, 1 findings at/above --fail-on, 2 usage/config, 3 connection/auth, 4 incomplete input.
 */
export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  CONNECTION: 3,
  INCOMPLETE: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the user: one line, no stack trace, a documented exit code. */
export class SpnauditError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SpnauditError';
  }
}

export class UsageError extends SpnauditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options);
    this.name = 'UsageError';
  }
}

export class ConnectionError extends SpnauditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.CONNECTION, options);
    this.name = 'ConnectionError';
  }
}

/**
 * Collapse any message to a single line so hostile values cannot forge extra log lines, and show
 * every other invisible character as `?`: C0/C1 controls (ESC and CSI start terminal escape
 * sequences), bidi overrides and isolates (U+202E makes `exe.txt` read as `txt.exe`), zero-width
 * characters, BOM and lone surrogates.
 */
export function oneLine(text: string): string {
  return text
    .replace(/[\r\n\u0085\u2028\u2029]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/gu, '?')
    .trim();
}
