/** The lab harness's pure parts (no daemon needed): LDIF in/out, smb.conf rewrite, duplicate split. */
import { describe, expect, it } from 'vitest';
import { ldifAdd, ldifLine, ldifModify, parseLdif, values } from './harness/ldif.js';
import { labPaths, rewriteGlobalSection } from './harness/provision.js';
import { splitDuplicates } from './harness/seed.js';
import { SCENARIO, scenarioAccount, scenarioDuplicates } from './scenario.js';

describe('LDIF lines', () => {
  it.each([
    ['HTTP/web01.contoso.test', 'servicePrincipalName: HTTP/web01.contoso.test'],
    [' leading space', `servicePrincipalName:: ${Buffer.from(' leading space').toString('base64')}`],
    [':colon first', `servicePrincipalName:: ${Buffer.from(':colon first').toString('base64')}`],
    ['<angle first', `servicePrincipalName:: ${Buffer.from('<angle first').toString('base64')}`],
    ['trailing space ', `servicePrincipalName:: ${Buffer.from('trailing space ').toString('base64')}`],
    ['line\nbreak', `servicePrincipalName:: ${Buffer.from('line\nbreak').toString('base64')}`],
    ['Ünïcode', `servicePrincipalName:: ${Buffer.from('Ünïcode').toString('base64')}`],
    ['', 'servicePrincipalName: '],
  ])('%j → %s', (value, line) => {
    expect(ldifLine('servicePrincipalName', value)).toBe(line);
  });

  it('what ldifAdd/ldifModify write, parseLdif reads back (hostile values included)', () => {
    const spns = ['HTTP/a', ' odd', 'ä/b', 'x:y'];
    const text = ldifAdd('CN=x,DC=t', { servicePrincipalName: spns }) + ldifModify('CN=y,DC=t', [{ op: 'add', attribute: 'member', values: ['CN=x,DC=t'] }]);
    const [added, modified] = parseLdif(text);
    expect(added!.dn).toBe('CN=x,DC=t');
    expect(values(added!, 'serviceprincipalname')).toEqual(spns);
    expect(modified!.dn).toBe('CN=y,DC=t');
    expect(values(modified!, 'member')).toEqual(['CN=x,DC=t']);
  });

  it('parseLdif unfolds continuation lines and skips comments and referrals', () => {
    const [entry, ...rest] = parseLdif('# comment\ndn: CN=a,DC=t\nservicePrincipalName: HTTP/lo\n ng.name\n\n# refldap://x/CN=Configuration\n');
    expect(rest).toEqual([]);
    expect(values(entry!, 'servicePrincipalName')).toEqual(['HTTP/long.name']);
  });
});

describe('smb.conf [global] rewrite', () => {
  const paths = labPaths('/tmp/lab-x');
  const provisioned = [
    '# Global parameters',
    '[global]',
    '\tnetbios name = DC1',
    '\trealm = CONTOSO.TEST',
    '\tprivate dir = /tmp/lab-x/private',
    '\tlog file = /var/log/samba/log.%m',
    '\tserver services = s3fs, rpc, nbt, wrepl, ldap, cldap, kdc, drepl, winbindd, ntp_signd, kcc, dnsupdate',
    '\tdns forwarder = 8.8.8.8',
    '',
    '[sysvol]',
    '\tpath = /tmp/lab-x/state/sysvol',
    '[printers]',
    '\tpath = /var/tmp',
  ].join('\n');
  const conf = rewriteGlobalSection(provisioned, paths);

  it.each([
    ['keeps the domain identity', /\tnetbios name = DC1\n/],
    ['keeps the private dir', /\tprivate dir = \/tmp\/lab-x\/private\n/],
    ['allows plain simple bind', /\tldap server require strong auth = no\n/],
    ['runs no DNS/NetBIOS services', /\tserver services = rpc, ldap, cldap, kdc, drepl, winbindd, kcc\n/],
    ['logs inside the lab dir', /\tlog file = \/tmp\/lab-x\/log\/samba.log\n/],
    ['uses the lab certificate', /\ttls certfile = \/tmp\/lab-x\/tls\/dc1.pem\n/],
    ['keeps [sysvol]', /\[sysvol\]\n\tpath = \/tmp\/lab-x\/state\/sysvol/],
  ])('%s', (_what, pattern) => {
    expect(conf).toMatch(pattern);
  });

  it.each([['dns forwarder'], ['/var/log/samba'], ['dnsupdate'], ['[printers]']])('drops %s', (text) => {
    expect(conf).not.toContain(text);
  });
});

describe('scenario duplicates', () => {
  it('each duplicate SPN goes through the DSDB once and raw for every later holder', () => {
    const { normal, raw } = splitDuplicates(SCENARIO);
    for (const [spn, holders] of scenarioDuplicates()) {
      const [first, ...later] = holders;
      expect(normal.get(first!)?.map((s) => s.toLowerCase())).toContain(spn);
      for (const holder of later) expect(raw.get(holder)?.map((s) => s.toLowerCase())).toEqual([spn]);
    }
    const rawCount = [...raw.values()].flat().length;
    expect(rawCount).toBe([...scenarioDuplicates().values()].reduce((n, holders) => n + holders.length - 1, 0));
  });

  it('finds the user/user and user/computer duplicates of the scenario', () => {
    const names = [...scenarioDuplicates().values()].map((holders) => holders.map((h) => h.name).sort());
    expect(names).toEqual(expect.arrayContaining([['svc_dup1', 'svc_dup2'], ['WEB03$', 'svc_hr']]));
    expect(scenarioAccount('svc_dup2').traits).toContain('duplicate-spn');
  });
});
