import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/analyze/fingerprint.js';

describe('fingerprint', () => {
  it('is the first 32 hex digits of SHA-256 over rule id and lower-cased parts joined by U+001F', () => {
    const material = ['duplicate-spn', 'http/web01.contoso.test', '', 'süd'].join('\u001f');
    expect(fingerprint('duplicate-spn', ['HTTP/Web01.contoso.test', null, 'SÜD'])).toBe(createHash('sha256').update(material, 'utf8').digest('hex').slice(0, 32));
  });

  it('keeps whitespace: a padded SPN is another principal', () => {
    expect(fingerprint('malformed-spn', [' HTTP/web'])).not.toBe(fingerprint('malformed-spn', ['HTTP/web']));
    expect(fingerprint('malformed-spn', ['HTTP/WEB'])).toBe(fingerprint('malformed-spn', ['http/web']));
  });
});
