/**
 * The shortcuts taken for scale (see docs/performance.md) must not change a single output:
 * sliced table drawing, the plain-SPN parse path, the streaming snapshot reader.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSnapshot, inventoryConfigYaml, snapshotJsonChunks } from '../../../scripts/bench/generate.js';
import { runAudit } from '../../../src/analyze/audit.js';
import { tryParseSpn } from '../../../src/analyze/spn.js';
import { parseConfigText } from '../../../src/config/file.js';
import { parseSnapshot, readSnapshot, writeSnapshot } from '../../../src/directory/snapshot-io.js';
import { loadInventory } from '../../../src/iis/index.js';
import { cliTable, drawTable, findingsTable, wrapLikeCliTable } from '../../../src/report/table.js';

describe('findings tables drawn without cli-table3 look exactly like cli-table3', () => {
  const word = fc.oneof(
    fc.constantFrom('HTTP/web.contoso.test', 'a', '', 'CONTOSO\\svc_web', 'x'.repeat(70)),
    fc.string({ unit: fc.constantFrom('a', 'B', '.', '/', ':', '-', '"', '$') }),
  );
  const text = fc.array(fc.tuple(word, fc.constantFrom(' ', '  ', '\n', '\n\n', ' \n')), { maxLength: 25 }).map((parts) => parts.flat().join(''));
  const painted = fc.tuple(fc.constantFrom('error', 'warning', 'info', 'NEW', 'unchanged'), fc.constantFrom('', '\u001b[31m', '\u001b[1;41;97m')).map(([w, style]) =>
    style ? `${style}${w}\u001b[0m` : w,
  );
  const table = fc.integer({ min: 1, max: 4 }).chain((columns) =>
    fc.record({
      head: fc.option(fc.array(fc.constantFrom('severity', 'rule', 'subject', 'message'), { minLength: columns, maxLength: columns }), { nil: null }),
      colWidths: fc.array(fc.integer({ min: 12, max: 60 }), { minLength: columns + 1, maxLength: columns + 1 }),
      rows: fc.array(fc.tuple(painted, fc.array(text, { minLength: columns, maxLength: columns })).map(([p, rest]) => [p, ...rest]), { maxLength: 8 }),
    }),
  );

  it('for random tables of printable ASCII and painted one-word cells', () => {
    fc.assert(
      fc.property(table, ({ head, colWidths, rows }) => {
        const fullHead = head ? ['status', ...head] : null;
        const fast = drawTable(fullHead, colWidths, rows);
        if (fast !== null) expect(fast).toBe(cliTable(fullHead, colWidths, rows));
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['a wide character', ['error', '漢字 host']],
    ['an emoji', ['error', 'svc 🙂']],
    ['a painted cell wider than its column', ['\u001b[31mwarning-but-longer\u001b[0m', 'x']],
  ])('leaves %s to cli-table3', (_name, row) => {
    expect(drawTable(null, [12, 30], [row])).toBeNull();
  });

  it('the generated audit table uses the fast drawer and keeps every finding', async () => {
    const spec = { accounts: 1_200, servers: 50 };
    const inventory = await loadInventory({ iisPaths: [], config: parseConfigText(inventoryConfigYaml(spec), 'inv.yaml') });
    const findings = runAudit(generateSnapshot(spec), inventory).findings;
    const table = findingsTable(findings, 120, (t) => t, false, false);
    expect(table.split('\n').filter((l) => l.startsWith('├')).length).toBe(findings.length);
    expect(table).not.toContain('…');
  });
});

describe('SPN parsing: the plain path gives what the full parser gives', () => {
  it.each([
    ['HTTP/web.contoso.test', { serviceClass: 'HTTP', host: 'web.contoso.test', port: null, instance: null, serviceName: null }],
    ['HTTP/web:8080', { serviceClass: 'HTTP', host: 'web', port: 8080, instance: null, serviceName: null }],
    ['MSSQLSvc/db.contoso.test:1433', { serviceClass: 'MSSQLSvc', host: 'db.contoso.test', port: 1433, instance: null, serviceName: null }],
    ['MSSQLSvc/db.contoso.test:INST', { serviceClass: 'MSSQLSvc', host: 'db.contoso.test', port: null, instance: 'INST', serviceName: null }],
    ['ldap/dc1.contoso.test/contoso.test', { serviceClass: 'ldap', host: 'dc1.contoso.test', port: null, instance: null, serviceName: 'contoso.test' }],
    ['HTTP/[fe80::1]:8080', { serviceClass: 'HTTP', host: 'fe80::1', port: 8080, instance: null, serviceName: null }],
  ])('%s parses', (value, expected) => {
    const parsed = tryParseSpn(value);
    expect(parsed).toEqual({ ok: true, spn: { original: value, key: value.toLowerCase(), ...expected } });
  });

  it.each([
    ['HTTP/web:0', /port 0 is out of range/],
    ['HTTP/web:65536', /port 65536 is out of range/],
    ['HTTP/web:99999', /out of range/],
    ['http://web.contoso.test', /looks like a URL/],
    [' HTTP/web', /leading or trailing whitespace/],
    ['HTTP/we b', /whitespace/],
    ['HTTP', /missing "\/"/],
    ['HTTP/a@b', /contains "\\" or "@"/],
  ])('%s is refused with its reason', (value, reason) => {
    const parsed = tryParseSpn(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('parsing the same value twice gives equal results, also after another value', () => {
    const first = tryParseSpn('HTTP/web:8080');
    tryParseSpn('HTTP/other');
    expect(tryParseSpn('HTTP/web:8080')).toEqual(first);
  });
});

describe('streaming snapshot reader', () => {
  const tmp = () => mkdtemp(path.join(os.tmpdir(), 'spnaudit-bench-'));

  it('reads the writer layout line by line into the same snapshot', async () => {
    const spec = { accounts: 2_000, servers: 10 };
    const file = path.join(await tmp(), 'snap.json');
    await writeSnapshot(file, generateSnapshot(spec));
    expect(await readSnapshot(file)).toEqual(generateSnapshot(spec));
  });

  it.each([
    ['pretty-printed', (text: string) => JSON.stringify(JSON.parse(text), null, 2)],
    ['minified', (text: string) => JSON.stringify(JSON.parse(text))],
    ['CRLF line ends', (text: string) => text.replaceAll('\n', '\r\n')],
    ['a byte order mark', (text: string) => `\uFEFF${text}`],
  ])('reads a %s file as parseSnapshot does', async (_name, reshape) => {
    const text = reshape([...snapshotJsonChunks({ accounts: 300, servers: 5 })].join(''));
    const file = path.join(await tmp(), 'snap.json');
    await writeFile(file, text);
    expect(await readSnapshot(file)).toEqual(parseSnapshot(text.replaceAll('\r\n', '\n'), file));
  });

  it('names the line where a writer-layout file was cut off', async () => {
    const text = [...snapshotJsonChunks({ accounts: 300, servers: 5 })].join('');
    const cut = text.slice(0, Math.floor(text.length / 2));
    const file = path.join(await tmp(), 'snap.json');
    await writeFile(file, cut);
    const line = cut.split('\n').length;
    await expect(readSnapshot(file)).rejects.toThrow(new RegExp(`^${file.replaceAll('.', '\\.')}:${line}: not valid JSON .*truncated`));
  });

  it('a file that ends after the last account line is truncated too', async () => {
    const text = [...snapshotJsonChunks({ accounts: 300, servers: 5 })].join('');
    const file = path.join(await tmp(), 'snap.json');
    await writeFile(file, text.slice(0, text.lastIndexOf('\n  ]')));
    await expect(readSnapshot(file)).rejects.toThrow(/not valid JSON .*truncated/);
  });

  it('reports an invalid account with its index, as parseSnapshot does', async () => {
    const snapshot = generateSnapshot({ accounts: 300, servers: 5 });
    const bad = { ...snapshot, accounts: snapshot.accounts.map((a, i) => (i === 250 ? { ...a, kind: 'robot' as never } : a)) };
    const file = path.join(await tmp(), 'snap.json');
    await writeSnapshot(file, bad);
    await expect(readSnapshot(file)).rejects.toThrow(`${file}: invalid snapshot: accounts[250].kind: must be user, computer, gmsa or msa`);
  });

  it('shares repeated values but never lets one account change another', async () => {
    const file = path.join(await tmp(), 'snap.json');
    await writeSnapshot(file, generateSnapshot({ accounts: 400, servers: 5 }));
    const { accounts } = await readSnapshot(file);
    const [a, b] = accounts.filter((x) => x.kind === 'computer');
    expect(a!.objectClass).toBe(b!.objectClass);
    expect(() => a!.objectClass.push('x')).toThrow(TypeError);
    expect(() => a!.memberOf.push('CN=x')).toThrow(TypeError);
  });
});
