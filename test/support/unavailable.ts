/**
 * What a suite's globalSetup does when the real server it needs (Samba, Redmine, Chromium) cannot be
 * had: under CI=true that is a failure, never a silent skip; elsewhere a loud banner says the suites
 * are SKIPPED, not passed, and why.
 */
export interface Unavailable {
  /** e.g. 'SAMBA LAB' — shown as "<WHAT> NOT AVAILABLE". */
  what: string;
  /** What is skipped, e.g. 'THE LAB SUITES'. */
  suites: string;
  reason: string;
  /** One sentence on what it needs to run. */
  needs: string;
  /** The env var that simulates this branch. */
  forceEnv: string;
  /** Thrown under CI=true (defaults to Error). */
  error?: (message: string) => Error;
}

export function handleUnavailable(u: Unavailable, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const title = u.what.charAt(0) + u.what.slice(1).toLowerCase();
  if (process.env.CI === 'true') {
    const message = `${title} required under CI=true but not available: ${u.reason}`;
    throw u.error ? u.error(message) : new Error(message);
  }
  const bar = '!'.repeat(78);
  log(
    [
      '',
      bar,
      `!!  ${u.what} NOT AVAILABLE — ${u.suites} ARE SKIPPED (NOT PASSED)`,
      `!!  reason: ${u.reason}`,
      `!!  ${u.needs}`,
      '!!  Under CI=true this is a failure instead of a skip.',
      `!!  (${u.forceEnv}=1 simulates this branch.)`,
      bar,
      '',
    ].join('\n'),
  );
}
