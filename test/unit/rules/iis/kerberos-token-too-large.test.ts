import { describe, expect, it } from 'vitest';
import { kerberosTokenTooLarge, largestTokenFor, REQUIRED_LIMIT, requiredHeaderBytes } from '../../../../src/rules/iis/kerberos-token-too-large.js';
import type { RegistryFacts } from '../../../../src/model/iis.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { pos } from './helpers.js';

function web03(registry: RegistryFacts | null, auth: AuthSpec = {}) {
  return inventory({ servers: [server({ name: 'WEB03', registry, sites: [site('Portal', { auth })] })] });
}

const KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters';
const fix = (...names: string[]) =>
  `On WEB03, run: ${names.map((n) => `reg add ${KEY} /v ${n} /t REG_DWORD /d 64200 /f`).join(' && ')} ; ` +
  'then restart HTTP.sys and IIS (KB820129: net stop http, net start http, and start again the IIS services that stopped with it).';

ruleTester(kerberosTokenTooLarge).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'no registry facts', input: { snapshot: snapshot(), inventory: web03(null) } },
    { name: 'registry facts without HTTP.sys values', input: { snapshot: snapshot(), inventory: web03({ backConnectionHostNames: [] }) } },
    { name: 'KB2020943 maximums', input: { snapshot: snapshot(), inventory: web03({ maxFieldLength: 65534, maxRequestBytes: 16777216 }) } },
    { name: 'edge: exactly (4/3 x 48000) + 200', input: { snapshot: snapshot(), inventory: web03({ maxFieldLength: 64200, maxRequestBytes: 64200 }) } },
    { name: 'no Negotiate on the server (NTLM tokens are small)', input: { snapshot: snapshot(), inventory: web03({ maxFieldLength: 16384, maxRequestBytes: 16384 }, { windows: { providers: ['NTLM'] } }) } },
  ],
  invalid: [
    {
      name: 'HTTP.sys defaults written explicitly',
      input: { snapshot: snapshot(), inventory: web03({ maxFieldLength: 16384, maxRequestBytes: 16384 }) },
      findings: [
        {
          severity: 'info',
          subject: { server: 'WEB03' },
          fixes: [fix('MaxFieldLength', 'MaxRequestBytes')],
          fixKinds: ['manual'],
          message: 'WEB03: MaxFieldLength 16384, MaxRequestBytes 16384. HTTP.sys rejects Authorization headers longer than 16384 bytes, i.e. Kerberos tokens over about 12138 bytes',
          evidence: { maxFieldLength: 16384, maxRequestBytes: 16384, effectiveLimit: 16384, largestToken: 12138, required: 64200 },
          notes: ['KB2020943'],
        },
      ],
    },
    {
      name: 'edge: MaxFieldLength raised but MaxRequestBytes left at its default caps the header anyway',
      input: { snapshot: snapshot(), inventory: web03({ maxFieldLength: 65534 }) },
      findings: [
        {
          severity: 'info',
          subject: { server: 'WEB03' },
          fixes: [fix('MaxRequestBytes')],
          message: 'MaxRequestBytes 16384 (not set: HTTP.sys default)',
          evidence: { maxFieldLength: 65534, maxRequestBytes: null, effectiveLimit: 16384 },
        },
      ],
    },
  ],
});

describe('kerberos-token-too-large sizing', () => {
  it('uses the KB2020943 formula with the default MaxTokenSize', () => {
    expect(requiredHeaderBytes(48000)).toBe(64200);
    expect(REQUIRED_LIMIT).toBe(64200);
    expect(largestTokenFor(REQUIRED_LIMIT)).toBe(48000);
    expect(largestTokenFor(100)).toBe(0);
  });

  it('points at the first Windows-auth section on the server', () => {
    const [finding] = runRule(kerberosTokenTooLarge, { snapshot: snapshot(), inventory: web03({ maxRequestBytes: 32768 }, { windows: { pos: pos(88) } }) });
    expect(finding?.location).toEqual(pos(88));
  });
});
