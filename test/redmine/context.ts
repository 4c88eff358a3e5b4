/**
 * How Redmine suites get the running server: `describeRedmine` (skipped with the global-setup banner when
 * there is none) and `requireRedmine()` inside hooks and tests.
 */
import { describe, inject } from 'vitest';
import type { RedmineInfo } from './harness/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redmine: RedmineInfo | null;
  }
}

export function requireRedmine(): RedmineInfo {
  const info = inject('redmine');
  if (!info) throw new Error('no Redmine in this run (see the banner from test/redmine/global-setup.ts); wrap the suite in describeRedmine');
  return info;
}

export function describeRedmine(name: string, body: () => void): void {
  describe.skipIf(inject('redmine') == null)(name, body);
}
