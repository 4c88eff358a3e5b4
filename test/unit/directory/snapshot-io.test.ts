import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, readSnapshot, writeSnapshot } from '../../../src/directory/snapshot-io.js';
import type { Snapshot } from '../../../src/model/directory.js';
import { UsageError } from '../../../src/errors.js';

function sample(): Snapshot {
  return {
    schemaVersion: 1,
    tool: { name: 'spnaudit', version: '0.1.0' },
    collectedAt: '2026-11-22T00:00:00.000Z',
    source: { url: 'ldap://dc1', baseDn: '', bindIdentity: 'admin@contoso.test', globalCatalog: false, tls: 'none' },
    complete: true,
    errors: [],
    forests: [{ rootDomain: 'contoso.test', configurationDn: 'CN=Configuration,DC=contoso,DC=test', spnMappings: [], dsHeuristics: null }],
    domains: [{ dnsName: 'contoso.test', netbiosName: 'CONTOSO', dn: 'DC=contoso,DC=test', sid: 'S-1-5-21-1-2-3', forest: 'contoso.test', functionalLevel: 7, rodcGroupCreated: null }],
    accounts: [
      {
        dn: 'CN=svc,DC=contoso,DC=test', objectGuid: '00000000-0000-4000-8000-000000000001', objectSid: 'S-1-5-21-1-2-3-1101',
        sAMAccountName: 'svc', userPrincipalName: null, kind: 'user', objectClass: ['user'], domain: 'contoso.test',
        userAccountControl: 512, userAccountControlComputed: null, servicePrincipalNames: ['HTTP/x'], supportedEncryptionTypes: null,
        pwdLastSet: null, mustChangePassword: false, accountExpires: null, whenCreated: null, lastLogonTimestamp: null, dnsHostName: null,
        allowedToDelegateTo: [], allowedToActOnBehalfOf: null, groupMsaMembership: null, adminCount: null, memberOf: [], primaryGroupId: 513, privileged: false,
      },
    ],
  };
}

describe('snapshot files', () => {
  it('round-trips through the streaming writer and leaves no temp file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-snap-'));
    const file = path.join(dir, 'snap.json');
    await writeSnapshot(file, sample());
    expect(await readSnapshot(file)).toEqual(sample());
    expect(await readdir(dir)).toEqual(['snap.json']);
    const empty = { ...sample(), accounts: [] };
    await writeSnapshot(file, empty);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(empty);
  });

  const bad: Array<[string, (s: Record<string, any>) => unknown, RegExp]> = [
    ['wrong schemaVersion', (s) => ({ ...s, schemaVersion: 2 }), /schemaVersion: 2 is not supported/],
    ['complete with errors', (s) => ({ ...s, errors: [{ where: 'x', message: 'y' }] }), /complete: is true but errors lists 1 failure/],
    ['account in an unknown domain', (s) => ({ ...s, accounts: [{ ...s.accounts[0], domain: 'fabrikam.test' }] }), /accounts\[0\]\.domain: 'fabrikam.test' is not in domains/],
    ['duplicate GUID', (s) => ({ ...s, accounts: [s.accounts[0], s.accounts[0]] }), /appears twice/],
    ['SPNs not an array', (s) => ({ ...s, accounts: [{ ...s.accounts[0], servicePrincipalNames: 'HTTP/x' }] }), /servicePrincipalNames: must be an array/],
    ['a password in source', (s) => ({ ...s, source: { ...s.source, password: 'x' } }), /must not contain a password/],
    ['not an object', () => [1, 2], /snapshot: must be an object/],
  ];
  it.each(bad)('rejects %s with a clear message', (_name, mutate, message) => {
    const text = JSON.stringify(mutate(sample() as unknown as Record<string, any>));
    expect(() => parseSnapshot(text, 'snap.json')).toThrow(UsageError);
    expect(() => parseSnapshot(text, 'snap.json')).toThrow(message);
  });

  it('names the line of truncated JSON', async () => {
    const text = JSON.stringify(sample(), null, 2);
    const cut = text.slice(0, text.length / 2);
    expect(() => parseSnapshot(cut, 'snap.json')).toThrow(/^snap\.json(:\d+)?: not valid JSON .*truncated/);
  });

  it('says which file it could not read', async () => {
    await expect(readSnapshot('/nonexistent/snap.json')).rejects.toThrow('cannot read snapshot /nonexistent/snap.json: ENOENT');
  });

  it('accepts a UTF-8 BOM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-snap-'));
    const file = path.join(dir, 'bom.json');
    await writeFile(file, `\uFEFF${JSON.stringify(sample())}`);
    expect((await readSnapshot(file)).accounts).toHaveLength(1);
  });
});
