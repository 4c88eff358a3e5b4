import { createHash } from 'node:crypto';

/**
 * A finding's stable identity across runs: rule id + stable subject parts (objectGUID, lower-cased
 * SPN or host, server/site names). Never a DN, a timestamp, or free text that may be reworded.
 */
export function fingerprint(ruleId: string, parts: ReadonlyArray<string | null | undefined>): string {
  // Case folds (SPNs, host and account names compare case-insensitively) but whitespace stays: ' HTTP/web'
  // and 'HTTP/web' are different principals to the KDC, and one must not inherit the other's
  // suppression, baseline state or ticket.
  const material = [ruleId, ...parts.map((p) => (p ?? '').toLowerCase())].join('\u001f');
  return createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 32);
}
