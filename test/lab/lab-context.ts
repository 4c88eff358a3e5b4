/**
 * How lab suites get the running lab. Use `describeLab` for a suite (skipped with the global-setup banner
 * when there is no lab) and `requireLab()` inside its hooks and tests — not at collection time, because a
 * skipped suite's body is still collected.
 */
import { describe, inject } from 'vitest';
import type { LabInfo } from './harness/types.js';

export type { LabInfo } from './harness/types.js';

export function labAvailable(): boolean {
  return inject('lab') != null;
}

export function requireLab(): LabInfo {
  const lab = inject('lab');
  if (!lab) throw new Error('no Samba lab in this run (see the banner from test/lab/global-setup.ts); wrap the suite in describeLab');
  return lab;
}

export function describeLab(name: string, body: () => void): void {
  describe.skipIf(!labAvailable())(name, body);
}
