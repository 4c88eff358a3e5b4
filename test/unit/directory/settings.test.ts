import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/file.js';
import { resolveLdapSettings } from '../../../src/config/ldap.js';
import { resolveSecret } from '../../../src/config/secrets.js';
import { loadQueries } from '../../../src/directory/queries.js';
import { mkdtemp, writeFile, cp, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const cfg = (text: string) => parseConfigText(text, '/etc/spnaudit/spnaudit.yaml');

describe('LDAP settings', () => {
  it('takes the config file and lets flags override it', () => {
    const s = resolveLdapSettings(
      { url: 'ldaps://dc2.contoso.test', pageSize: '500' },
      cfg('ldap:\n  url: ldap://dc1.contoso.test\n  bindDn: admin@contoso.test\n  passwordFile: pw.txt\n  caFile: ca.pem\n  timeout: 30\n'),
    );
    expect(s).toMatchObject({
      url: 'ldaps://dc2.contoso.test',
      bindDn: 'admin@contoso.test',
      passwordFile: '/etc/spnaudit/pw.txt',
      caFile: '/etc/spnaudit/ca.pem',
      pageSize: 500,
      timeoutSec: 30,
      gc: false,
      tlsInsecure: false,
    });
  });

  it('a password source given as a flag replaces the file\'s', () => {
    const s = resolveLdapSettings({ passwordEnv: 'PW' }, cfg('ldap:\n  url: ldap://x\n  bindDn: a\n  passwordFile: pw.txt\n'));
    expect([s.passwordEnv, s.passwordFile]).toEqual(['PW', undefined]);
  });

  it.each([
    ['ldap:\n  url: ldap://x\n  bindDn: a\n  pasword: x\n', /spnaudit\.yaml:4: unknown key 'ldap\.pasword'/],
    ['ldap:\n  url: ldap://x\n  bindDn: a\n  password: hunter2\n', /spnaudit\.yaml:4: .*passwords do not belong in the config file/],
    ['ldap:\n  url: ldap://x\n  bindDn: a\n  gc: yes please\n', /spnaudit\.yaml:4: 'ldap\.gc' must be a boolean/],
    ['ldap: [1]\n', /'ldap' must be a mapping/],
  ])('rejects bad config %#', (text, message) => {
    expect(() => resolveLdapSettings({}, cfg(text))).toThrow(message);
  });

  it.each([
    [{ bindDn: 'a' }, /no LDAP server/],
    [{ url: 'ldap://x' }, /no bind identity/],
    [{ url: 'ldap://x', bindDn: 'a', pageSize: '5000' }, /--page-size must be 1\.\.1000/],
    [{ url: 'ldap://x', bindDn: 'a', timeout: '10s' }, /--timeout must be a whole number/],
    [{ url: 'ldap://x', bindDn: 'a', parallel: '0' }, /--parallel must be 1\.\.8 connections, got 0/],
    [{ url: 'ldap://x', bindDn: 'a', parallel: '9' }, /--parallel must be 1\.\.8 connections, got 9/],
    [{ url: 'ldap://x', bindDn: 'a', parallel: 'two' }, /--parallel must be a whole number/],
  ])('rejects bad flags %#', (flags, message) => {
    expect(() => resolveLdapSettings(flags, null)).toThrow(message);
  });
});

describe('--parallel', () => {
  it('defaults to two connections; the flag wins over ldap.parallel in the config', () => {
    expect(resolveLdapSettings({ url: 'ldap://x', bindDn: 'a' }, null).parallel).toBe(2);
    expect(resolveLdapSettings({}, cfg('ldap:\n  url: ldap://x\n  bindDn: a\n  parallel: 1\n')).parallel).toBe(1);
    expect(resolveLdapSettings({ parallel: '4' }, cfg('ldap:\n  url: ldap://x\n  bindDn: a\n  parallel: 1\n')).parallel).toBe(4);
  });
});

describe('secrets', () => {
  const flags = { env: '--password-env', file: '--password-file' };
  const noTty = { stdin: { isTTY: false } as NodeJS.ReadStream, stderr: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream };

  it('reads an environment variable by name', async () => {
    process.env.SPNAUDIT_TEST_PW = 's3cret';
    await expect(resolveSecret({ env: 'SPNAUDIT_TEST_PW', label: 'LDAP password', flags }, noTty)).resolves.toBe('s3cret');
  });

  it('refuses a value where a variable name belongs, without echoing it', async () => {
    const err = await resolveSecret({ env: 'hunter2!', label: 'LDAP password', flags }, noTty).catch((e: Error) => e);
    expect(String(err)).toMatch(/takes the NAME of an environment variable/);
    expect(String(err)).not.toContain('hunter2');
  });

  it('reads the first line of a file and warns when others can read it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-pw-'));
    const file = path.join(dir, 'pw');
    await writeFile(file, 'pa ss\n');
    await chmod(file, 0o644);
    const warnings: string[] = [];
    const io = { stdin: noTty.stdin, stderr: { isTTY: false, write: (s: string) => warnings.push(s) } as unknown as NodeJS.WriteStream };
    await expect(resolveSecret({ file, label: 'LDAP password', flags }, io)).resolves.toBe('pa ss');
    expect(warnings.join('')).toMatch(/readable by other users/);
  });

  it('fails clearly when there is no source and no terminal', async () => {
    await expect(resolveSecret({ label: 'LDAP password', flags }, noTty)).rejects.toThrow(/no LDAP password: use --password-env VAR or --password-file FILE/);
  });
});

describe('query files', () => {
  async function withQueries(edit: (dir: string) => Promise<void>) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-q-'));
    await cp(path.resolve('queries'), dir, { recursive: true });
    await edit(dir);
    return loadQueries(dir);
  }

  it('loads the bundled queries with the spn-holders attribute list reused by accounts-by-name', async () => {
    const q = await loadQueries();
    expect(q['spn-holders'].paged).toBe(true);
    expect(q['accounts-by-name'].attributes).toEqual(q['spn-holders'].attributes);
    expect(q['spn-holders'].attributes).toContain('msDS-SupportedEncryptionTypes');
    expect(q['spn-holders'].split).toBe('uSNCreated');
    expect(q.rootdse.attributes).toEqual(expect.arrayContaining(['dsServiceName', 'highestCommittedUSN']));
    expect(q['nested-groups'].split).toBeNull();
  });

  it.each([
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: "{domainDn}"\nscope: subtree\nfilter: (a=*)\n', /spn-holders\.yaml:4: scope must be base, one or sub/],
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: "{domainDn}"\nscope: sub\nfilter: (a=*\n', /spn-holders\.yaml:5: filter must be a parenthesized LDAP filter/],
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: "{domainDN}"\nscope: sub\nfilter: (a=*)\n', /unknown placeholder/],
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: ""\nscope: sub\nfilter: (a=*)\natributes: [a]\n', /unknown key 'atributes'/],
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: ""\nscope: sub\nfilter: (a=*)\npaged: true\nsplit: uSNChanged\n', /spn-holders\.yaml:7: split must be uSNCreated/],
    ['spn-holders.yaml', 'id: spn-holders\nwhy: x\nbase: ""\nscope: sub\nfilter: (a=*)\nsplit: uSNCreated\n', /spn-holders\.yaml:6: split needs a paged subtree search without \{value\}/],
    ['rootdse.yaml', 'id: partitions\nwhy: x\nbase: ""\nscope: base\nfilter: (a=*)\n', /query id 'partitions' is defined twice|required query 'rootdse' is missing/],
  ])('rejects a broken %s', async (name, text, message) => {
    await expect(withQueries((dir) => writeFile(path.join(dir, name), text))).rejects.toThrow(message);
  });
});
