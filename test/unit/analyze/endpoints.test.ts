import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../../src/analyze/context.js';
import { cnameChain, decryptingAccount, webEndpoints } from '../../../src/analyze/endpoints.js';
import type { IdentityType } from '../../../src/model/iis.js';
import { account, auth, computer, inventory, pool, server, singleSite, site, snapshot } from '../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] });
const gmsa = account({ sam: 'gmsa_web', kind: 'gmsa' });
const snap = snapshot({ accounts: [web01, svc, gmsa] });

describe('decryptingAccount', () => {
  const srv = server({ name: 'WEB01' });
  const ctx = createRuleContext(snap, null);
  type Case = [string, IdentityType | string, { useKernelMode: boolean; useAppPoolCredentials: boolean }, string, string | null];
  const km = { useKernelMode: true, useAppPoolCredentials: false };
  const kmApc = { useKernelMode: true, useAppPoolCredentials: true };
  const user = { useKernelMode: false, useAppPoolCredentials: false };
  it.each<Case>([
    ['kernel mode, domain user', 'CONTOSO\\svc_web', km, 'computer', 'CONTOSO\\WEB01$'],
    ['kernel mode, LocalService', 'LocalService', km, 'computer', 'CONTOSO\\WEB01$'],
    ['kernel mode, local account', '.\\localuser', km, 'computer', 'CONTOSO\\WEB01$'],
    ['kernel mode + useAppPoolCredentials, domain user', 'CONTOSO\\svc_web', kmApc, 'pool-account', 'CONTOSO\\svc_web'],
    ['kernel mode + useAppPoolCredentials, gMSA', 'CONTOSO\\gmsa_web$', kmApc, 'pool-account', 'CONTOSO\\gmsa_web$'],
    ['kernel mode + useAppPoolCredentials, ApplicationPoolIdentity', 'ApplicationPoolIdentity', kmApc, 'computer', 'CONTOSO\\WEB01$'],
    ['user mode, NetworkService', 'NetworkService', user, 'computer', 'CONTOSO\\WEB01$'],
    ['user mode, LocalSystem', 'LocalSystem', user, 'computer', 'CONTOSO\\WEB01$'],
    ['user mode, UPN identity', 'svc_web@contoso.test', user, 'pool-account', 'CONTOSO\\svc_web'],
    ['user mode, LocalService', 'LocalService', user, 'nobody', null],
    ['user mode, local account', 'WEB01\\localuser', user, 'nobody', null],
    ['user mode, unknown domain user', 'CONTOSO\\ghost', user, 'pool-account', 'CONTOSO\\ghost'],
  ])('%s', (_name, identity, windows, kind, name) => {
    const d = decryptingAccount(ctx, srv, pool('P', identity, 'WEB01'), auth({ windows }).windows);
    expect(d.kind).toBe(kind);
    expect(d.name).toBe(name);
    expect(d.reason.length).toBeGreaterThan(20);
  });

  it('says why Kerberos is impossible for LocalService', () => {
    const d = decryptingAccount(ctx, srv, pool('P', 'LocalService'), auth({ windows: user }).windows);
    expect(d.reason).toContain('Kerberos is impossible');
    expect(d.account).toBeNull();
  });

  it('resolves the domain account object and leaves unknown ones unresolved', () => {
    expect(decryptingAccount(ctx, srv, pool('P', 'CONTOSO\\svc_web'), auth({ windows: kmApc }).windows).account).toBe(svc);
    expect(decryptingAccount(ctx, srv, pool('P', 'CONTOSO\\ghost'), auth({ windows: kmApc }).windows).account).toBeNull();
  });

  it('names the computer account even when it is not in the snapshot', () => {
    const d = decryptingAccount(ctx, server({ name: 'WEB09' }), pool('P'), auth().windows);
    expect(d).toMatchObject({ kind: 'computer', account: null, name: 'CONTOSO\\WEB09$' });
  });

  it('nobody decrypts for a missing pool', () => {
    expect(decryptingAccount(ctx, srv, null, auth({ windows: kmApc }).windows).kind).toBe('nobody');
  });
});

describe('webEndpoints', () => {
  const endpointsOf = (inv: ReturnType<typeof inventory>) =>
    webEndpoints(createRuleContext(snap, inv)).map((e) => ({ host: e.host, spn: e.expectedSpn, via: e.resolution.via, match: e.match, app: e.application.path }));

  it('is empty without IIS input', () => {
    expect(webEndpoints(createRuleContext(snap, null))).toEqual([]);
  });

  it('merges http and https of one name, and omits the port by default', () => {
    const srv = server({
      name: 'WEB01',
      pools: [pool('P', 'CONTOSO\\svc_web')],
      sites: [site('S', { pool: 'P', auth: { windows: { useAppPoolCredentials: true } }, bindings: ['http *:80:intranet.contoso.test', 'https *:443:intranet.contoso.test', 'http *:8080:intranet.contoso.test', 'net.tcp 808:*'] })],
    });
    const eps = webEndpoints(createRuleContext(snap, inventory({ servers: [srv] })));
    expect(eps.map((e) => [e.host, e.expectedSpn, e.bindings.length, e.match])).toEqual([['intranet.contoso.test', 'HTTP/intranet.contoso.test', 3, 'ok']]);
  });

  it('adds a non-default port only when browsers are configured to send it', () => {
    const srv = singleSite({ hosts: ['intranet.contoso.test'] });
    srv.sites[0]?.bindings.push(...site('x', { bindings: ['http *:8080:intranet.contoso.test', 'https *:443:intranet.contoso.test'] }).bindings);
    expect(endpointsOf(inventory({ servers: [srv], browsersIncludePort: true })).map((e) => e.spn)).toEqual(['HTTP/intranet.contoso.test', 'HTTP/intranet.contoso.test:8080']);
  });

  it('uses the server NetBIOS name and FQDN for an empty host header', () => {
    const srv = singleSite({ hosts: [''] });
    expect(endpointsOf(inventory({ servers: [srv] }))).toEqual([
      { host: 'web01', spn: 'HTTP/web01', via: 'host-alias', match: 'ok', app: '/' },
      { host: 'web01.contoso.test', spn: 'HTTP/web01.contoso.test', via: 'host-alias', match: 'ok', app: '/' },
    ]);
  });

  it('follows CNAMEs to the canonical name', () => {
    const srv = singleSite({ hosts: ['www.contoso.test'] });
    const eps = webEndpoints(createRuleContext(snap, inventory({ servers: [srv], cnames: { 'www.contoso.test': 'lb.contoso.test', 'lb.contoso.test': 'web01.contoso.test.' } })));
    expect(eps.map((e) => [e.host, e.canonicalHost, e.cnameChain, e.expectedSpn])).toEqual([
      ['www.contoso.test', 'web01.contoso.test', ['www.contoso.test', 'lb.contoso.test', 'web01.contoso.test'], 'HTTP/web01.contoso.test'],
    ]);
  });

  it('stops at a CNAME loop', () => {
    expect(cnameChain({ a: 'b', b: 'a' }, 'a')).toEqual(['a', 'b']);
    expect(cnameChain({}, 'a')).toEqual([]);
  });

  it('yields one endpoint per application, each with its own decrypting account', () => {
    const srv = server({
      name: 'WEB01',
      pools: [pool('Root', 'CONTOSO\\svc_web'), pool('Sub')],
      sites: [site('S', { pool: 'Root', bindings: ['http *:80:intranet.contoso.test'], auth: { windows: { useAppPoolCredentials: true } }, apps: [{ path: '/sub', pool: 'Sub' }] })],
    });
    expect(endpointsOf(inventory({ servers: [srv] }))).toEqual([
      { host: 'intranet.contoso.test', spn: 'HTTP/intranet.contoso.test', via: 'explicit', match: 'ok', app: '/' },
      { host: 'intranet.contoso.test', spn: 'HTTP/intranet.contoso.test', via: 'explicit', match: 'wrong-account', app: '/sub' },
    ]);
  });

  it.each([
    ['missing', ['nowhere.contoso.test'], 'ApplicationPoolIdentity', 'missing'],
    ['wrong account', ['intranet.contoso.test'], 'ApplicationPoolIdentity', 'wrong-account'],
    ['nobody can decrypt', ['intranet.contoso.test'], 'LocalService', 'no-decryptor'],
  ])('match: %s', (_n, hosts, identity, match) => {
    const srv = singleSite({ hosts, identity, auth: { windows: { useKernelMode: false } } });
    expect(endpointsOf(inventory({ servers: [srv] }))[0]?.match).toBe(match);
  });

  it('match: duplicate and unknown decryptor', () => {
    const dup = account({ sam: 'svc_dup', spns: ['HTTP/intranet.contoso.test'] });
    const ctx = createRuleContext(snapshot({ accounts: [web01, svc, dup] }), inventory({ servers: [singleSite({})] }));
    expect(webEndpoints(ctx)[0]?.match).toBe('duplicate');
    const ghost = singleSite({ identity: 'CONTOSO\\ghost', auth: { windows: { useAppPoolCredentials: true } } });
    expect(endpointsOf(inventory({ servers: [ghost] }))[0]?.match).toBe('unknown-decryptor');
  });

  it('reports negotiation per provider list', () => {
    const ntlm = singleSite({ auth: { windows: { providers: ['NTLM'] } } });
    const kerbOnly = singleSite({ server: 'WEB02', auth: { windows: { providers: ['Negotiate:Kerberos'] } } });
    const off = singleSite({ server: 'WEB03', auth: { windows: false } });
    const eps = webEndpoints(createRuleContext(snap, inventory({ servers: [ntlm, kerbOnly, off] })));
    expect(eps.map((e) => e.negotiates)).toEqual([false, true, false]);
  });
});
