import { describe, expect, it } from 'vitest';
import {
  bulkRole,
  generateAccounts,
  generateSnapshot,
  inventoryConfigYaml,
  LAB_OU,
  labLdifChunks,
  serviceUserLdifChunks,
  plannedDefects,
  snapshotJsonChunks,
  type GenerateSpec,
} from '../../../scripts/bench/generate.js';
import { runAudit } from '../../../src/analyze/audit.js';
import { parseConfigText } from '../../../src/config/file.js';
import { parseSnapshot } from '../../../src/directory/snapshot-io.js';
import { loadInventory } from '../../../src/iis/index.js';
import type { Inventory } from '../../../src/model/iis.js';

function countByRule(ruleIds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ruleIds) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

async function inventoryFor(spec: GenerateSpec): Promise<Inventory> {
  return loadInventory({ iisPaths: [], config: parseConfigText(inventoryConfigYaml(spec), 'bench-inventory.yaml') });
}

const sizes: Array<{ name: string; spec: GenerateSpec }> = [
  { name: 'a few accounts per server', spec: { accounts: 400, servers: 100 } },
  { name: 'a partial pattern at the end', spec: { accounts: 2_345, servers: 60 } },
  { name: 'no servers', spec: { accounts: 1_000, servers: 0 } },
  { name: 'the bench shape at 1/10 of the smallest size', spec: { accounts: 5_000, servers: 100 } },
];

describe('generated directories: the audit finds exactly the planted defects', () => {
  it.each(sizes)('$name ($spec.accounts accounts, $spec.servers servers)', async ({ spec }) => {
    const snapshot = generateSnapshot(spec);
    const result = runAudit(snapshot, await inventoryFor(spec));
    expect(countByRule(result.findings.map((f) => f.ruleId))).toEqual(plannedDefects(spec).findings);
  });

  it('without the inventory only the directory defects remain', () => {
    const spec = { accounts: 3_000, servers: 50 };
    const result = runAudit(generateSnapshot(spec), null);
    const plan = plannedDefects(spec, false).findings;
    expect(countByRule(result.findings.map((f) => f.ruleId))).toEqual(plan);
    expect(plan['missing-spn']).toBeUndefined();
  });

  it('plants duplicates on pairs of accounts, one finding per duplicated SPN', () => {
    const spec = { accounts: 1_200, servers: 10 };
    const result = runAudit(generateSnapshot(spec), null);
    const duplicates = result.findings.filter((f) => f.ruleId === 'duplicate-spn');
    expect(duplicates.length).toBe(plannedDefects(spec).findings['duplicate-spn']);
    for (const f of duplicates) expect((f.evidence as { holders: unknown[] }).holders).toHaveLength(2);
  });

  it('plants the missing-spn / spn-on-wrong-account servers the inventory names', async () => {
    const spec = { accounts: 400, servers: 100 };
    const result = runAudit(generateSnapshot(spec), await inventoryFor(spec));
    const servers = (ruleId: string) => result.findings.filter((f) => f.ruleId === ruleId).map((f) => f.subject.server).sort();
    expect(servers('missing-spn')).toEqual(['WEB0050', 'WEB0100']);
    expect(servers('spn-on-wrong-account')).toEqual(['WEB0025', 'WEB0075']);
  });
});

describe('generated snapshot shape', () => {
  const cases: GenerateSpec[] = [
    { accounts: 400, servers: 100 },
    { accounts: 10_000, servers: 1_000 },
    { accounts: 777, servers: 3 },
  ];

  it.each(cases)('$accounts accounts: the stated account and SPN counts, unique GUIDs and SPN-less accounts none', (spec) => {
    const accounts = [...generateAccounts(spec)];
    const plan = plannedDefects(spec);
    expect(accounts.length).toBe(plan.accounts);
    expect(accounts.reduce((n, a) => n + a.servicePrincipalNames.length, 0)).toBe(plan.spns);
    expect(new Set(accounts.map((a) => a.objectGuid)).size).toBe(accounts.length);
    expect(new Set(accounts.map((a) => a.sAMAccountName.toLowerCase())).size).toBe(accounts.length);
    expect(accounts.filter((a) => a.servicePrincipalNames.length === 0)).toEqual([]);
  });

  it('averages about three SPNs per account', () => {
    const plan = plannedDefects({ accounts: 100_000, servers: 1_000 });
    expect(plan.spns / plan.accounts).toBeGreaterThan(2.9);
    expect(plan.spns / plan.accounts).toBeLessThanOrEqual(3);
  });

  it('streams the same snapshot it builds in memory, in a file spnaudit reads', () => {
    const spec = { accounts: 1_500, servers: 20 };
    const text = [...snapshotJsonChunks(spec)].join('');
    expect(parseSnapshot(text, 'generated.json')).toEqual(generateSnapshot(spec));
    // One account per line, like `spnaudit collect` writes.
    expect(text.split('\n').filter((l) => l.startsWith('    {"dn"')).length).toBe(spec.accounts);
  });

  it('refuses sizes it cannot lay out (4 accounts per server, at least one account)', () => {
    expect(() => plannedDefects({ accounts: 10, servers: 3 })).toThrow(/too few/);
    expect(() => [...generateAccounts({ accounts: 0, servers: 0 })]).toThrow(/positive integer/);
  });

  it.each([
    [0, 'computer'],
    [59, 'computer'],
    [60, 'gmsa'],
    [89, 'gmsa'],
    [90, 'user'],
    [91, 'duplicate-spn'],
    [92, 'missing-spn-variant'],
    [93, 'rc4-only'],
    [94, 'user'],
    [191, 'duplicate-spn'],
  ])('bulk slot %i is a %s', (slot, role) => {
    expect(bulkRole(slot)).toBe(role);
  });
});

describe('generated LDIF for the Samba lab', () => {
  const spec = { accounts: 4_321, servers: 20 };
  const chunks = [...labLdifChunks(spec, 1_000)];
  const entries = chunks
    .flatMap((c) => c.ldif.split('\n\n'))
    .filter((block) => block.startsWith('dn: CN='))
    .map((block) => block.split('\n'));

  it('holds every account once, in ldbadd chunks of the asked size', () => {
    expect(chunks.map((c) => c.entries)).toEqual([1_000, 1_000, 1_000, 1_000, 321]);
    expect(entries).toHaveLength(spec.accounts);
    expect(chunks[0]!.ldif.startsWith(`dn: ${LAB_OU},DC=contoso,DC=test\nobjectClass: organizationalUnit`)).toBe(true);
  });

  it('registers no SPN twice (Samba refuses duplicates): every planted duplicate is left out', () => {
    const spns = entries.flatMap((lines) => lines.filter((l) => l.startsWith('servicePrincipalName: ')).map((l) => l.slice(22).toLowerCase()));
    expect(new Set(spns).size).toBe(spns.length);
    expect(spns.length).toBe(plannedDefects(spec).spns - plannedDefects(spec).findings['duplicate-spn']!);
  });

  it('writes computers as computers and every other account as a user, RC4-only ones included', () => {
    const classes = countByRule(entries.map((lines) => lines.find((l) => l.startsWith('objectClass: '))!.slice(13)));
    const computers = [...generateAccounts(spec)].filter((a) => a.kind === 'computer').length;
    expect(classes).toEqual({ computer: computers, user: spec.accounts - computers });
    const rc4 = entries.filter((lines) => lines.includes('msDS-SupportedEncryptionTypes: 4')).length;
    expect(rc4).toBe(plannedDefects(spec).findings['rc4-only']);
  });
});

describe('service-user LDIF for the peer comparison', () => {
  it('holds enabled user accounts with two HTTP SPNs each, in chunks', () => {
    const chunks = [...serviceUserLdifChunks(2_500, 1_000)];
    expect(chunks.map((c) => c.entries)).toEqual([1_000, 1_000, 500]);
    const entries = chunks.flatMap((c) => c.ldif.split('\n\n')).filter((e) => e.includes('sAMAccountName:'));
    expect(entries).toHaveLength(2_500);
    const spns = entries.flatMap((e) => e.split('\n').filter((l) => l.startsWith('servicePrincipalName: ')).map((l) => l.slice(22)));
    expect(spns).toHaveLength(5_000);
    expect(new Set(spns.map((s) => s.toLowerCase())).size).toBe(5_000);
    expect(entries.every((e) => e.includes('objectClass: user') && e.includes('userAccountControl: 66048') && !/sAMAccountName: \S+\$/.test(e))).toBe(true);
    expect(entries[0]).toContain('servicePrincipalName: HTTP/app000001.contoso.test\nservicePrincipalName: HTTP/app000001');
  });
});
