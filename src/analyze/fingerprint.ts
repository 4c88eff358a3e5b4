import { createHash } from 'node:crypto';

/**
 * A finding's stable identity across runs: rule id + stable subject parts (objectGUID, normalized
 * SPN or host, server/site names). Never a DN, a timestamp, or free text that may be reworded.
 */
export function fingerprint(ruleId: string, parts: ReadonlyArray<string | null | undefined>): string {
  const material = [ruleId, ...parts.map((p) => (p ?? '').trim().toLowerCase())].join('\u001f');
  return createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 32);
}
