import { describe, expect, it } from 'vitest';
import { createRuleContext, fixAccount } from '../../../src/analyze/context.js';
import { account, computer, domain, snapshot } from '../../support/fixtures.js';

const svc = account({ sam: 'svc_web', userPrincipalName: 'svc.web@corp.example' });
const web01 = computer('WEB01');
const gmsa = account({ sam: 'gmsa_apps', kind: 'gmsa' });
const euSvc = account({ sam: 'svc_web', domain: 'eu.contoso.test' });
const eu = domain({ dnsName: 'eu.contoso.test', netbiosName: 'EU', forest: 'contoso.test' });
const ctx = createRuleContext(snapshot({ accounts: [svc, web01, gmsa, euSvc], domains: [domain(), eu] }), null);

describe('findAccount', () => {
  it.each([
    ['CONTOSO\\svc_web', svc],
    ['contoso\\SVC_WEB', svc],
    ['contoso.test\\svc_web', svc],
    ['EU\\svc_web', euSvc],
    ['svc.web@corp.example', svc],
    ['svc_web@contoso.test', svc],
    ['svc_web@eu.contoso.test', euSvc],
    ['CONTOSO\\gmsa_apps$', gmsa],
    ['gmsa_apps$', gmsa],
    ['CONTOSO\\WEB01$', web01],
    ['  CONTOSO\\svc_web  ', svc],
  ])('%s', (name, expected) => {
    expect(ctx.findAccount(name)).toBe(expected);
  });

  it.each([
    ['.\\svc_web', 'a local account'],
    ['WEB01\\svc_web', 'a machine-local account'],
    ['CONTOSO\\WEB01', 'a computer without $'],
    ['svc_web', 'a bare name in two domains without a hint'],
    ['nobody@contoso.test', 'an unknown user'],
    ['', 'an empty name'],
  ])('%s is not found (%s)', (name) => {
    expect(ctx.findAccount(name)).toBeUndefined();
  });

  it('uses the domain hint for bare names', () => {
    expect(ctx.findAccount('svc_web', 'EU')).toBe(euSvc);
    expect(ctx.findAccount('svc_web', 'contoso.test')).toBe(svc);
  });
});

describe('displayName and fixAccount', () => {
  it('shows NETBIOS\\sam', () => {
    expect(ctx.displayName(euSvc)).toBe('EU\\svc_web');
    expect(ctx.displayName(web01)).toBe('CONTOSO\\WEB01$');
  });

  it('falls back to the first DNS label when the domain is unknown', () => {
    const other = account({ sam: 'x', domain: 'fabrikam.test' });
    const c = createRuleContext(snapshot({ accounts: [other] }), null);
    expect(c.displayName(other)).toBe('FABRIKAM\\x');
  });

  it('builds the fix account', () => {
    expect(fixAccount(ctx, gmsa)).toEqual({ netbiosDomain: 'CONTOSO', domain: 'contoso.test', sAMAccountName: 'gmsa_apps$', kind: 'gmsa' });
  });
});

describe('options', () => {
  it('defaults "now" to the snapshot collection time', () => {
    const c = createRuleContext(snapshot({ collectedAt: '2026-03-04T05:06:07.000Z' }), null);
    expect(c.options.now.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(c.options.passwordAgeDays).toBe(365);
  });

  it('takes explicit options over the defaults', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const c = createRuleContext(snapshot(), null, { now, passwordAgeDays: 90 });
    expect(c.options).toEqual({ now, passwordAgeDays: 90 });
  });
});
