/**
 * Hostile and broken applicationHost.config files through the real CLI (`spnaudit iis` and
 * `spnaudit audit --iis`): each is refused with one line naming the file (and line where there is
 * one) and exit 2, or read correctly — never half-read, never expanded, never a file read on its
 * behalf. Parser-level cases already in test/unit/iis (malformed, web.config, the 64 MB cap on a
 * string) are not repeated; this adds what only shows end to end.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/model/iis.js';
import { runCli, type CliResult } from '../../support/cli.js';

const SLOW = 60_000;
const DIR = path.join(os.tmpdir(), `spnaudit-iis-faults-${process.pid}`);
mkdirSync(DIR, { recursive: true });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const FIXTURES = path.resolve('test/fixtures/iis');
const EXAMPLE = readFileSync('examples/iis/WEB03.applicationHost.config');
const PASSWD_FIRST_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;

function file(name: string, content: Buffer | string): string {
  const full = path.join(DIR, `${name}.applicationHost.config`);
  writeFileSync(full, content);
  return full;
}

const pools = (name: string) => `<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="${name}"><processModel identityType="SpecificUser" userName="CONTOSO\\svc_${name}" /></add>
    </applicationPools>
  </system.applicationHost>
</configuration>
`;

async function iis(target: string): Promise<CliResult> {
  return runCli(['iis', target, '--format', 'json']);
}

async function audit(target: string): Promise<CliResult> {
  return runCli(['audit', '--snapshot', 'examples/contoso.snapshot.json', '--iis', target, '--format', 'json']);
}

function expectRefused(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^spnaudit: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
  // Nothing of the file's bytes is echoed raw: control characters would forge terminal output.
  expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
}

describe('broken files are refused with one line and exit 2', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['truncated in the middle of an element', () => file('truncated', EXAMPLE.subarray(0, Math.floor(EXAMPLE.length / 2))), /truncated\.applicationHost\.config:\d+: malformed XML/],
    ['truncated after the root opened', () => file('cut', '<configuration>\n  <system.applicationHost>\n'), /cut\.applicationHost\.config:\d+: malformed XML/],
    ['random binary bytes', () => file('binary', Buffer.concat([Buffer.from([0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a]), randomBytes(4096)])), /binary\.applicationHost\.config:\d+: (bytes that are not valid UTF-8|malformed XML)/],
    ['an empty file', () => file('empty', ''), /empty\.applicationHost\.config:1: malformed XML/],
    ['nesting 100 000 elements deep', () => file('deep', `<configuration><system.applicationHost>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</system.applicationHost></configuration>`), /deep\.applicationHost\.config:1: the XML parser refused the document: Maximum nested tags exceeded/],
    ['billion laughs', () => path.join(FIXTURES, 'billion-laughs.applicationHost.config'), /billion-laughs\.applicationHost\.config:3: DOCTYPE declarations are not accepted/],
    ['an external entity', () => path.join(FIXTURES, 'xxe.applicationHost.config'), /xxe\.applicationHost\.config:2: DOCTYPE declarations are not accepted/],
    ['a parameter entity behind a comment and a PI', () => file('pe', `<?xml version="1.0"?>\n<!-- x -->\n<?pi y?>\n<!DOCTYPE c [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n${pools('P')}`), /pe\.applicationHost\.config:4: DOCTYPE declarations are not accepted/],
    ['a DOCTYPE inside the document', () => file('inner', `<configuration><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><system.applicationHost/></configuration>`), /inner\.applicationHost\.config:1: /],
    ['Latin-1 bytes without a declaration', () => file('latin1-undeclared', Buffer.from(pools('Caf\u00e9'), 'latin1')), /latin1-undeclared\.applicationHost\.config:4: bytes that are not valid UTF-8; .*declare its real encoding/],
    ['an encoding nobody can decode', () => file('bogus-encoding', `<?xml version="1.0" encoding="x-klingon"?>\n${pools('P')}`), /bogus-encoding\.applicationHost\.config:1: the XML declaration names encoding 'x-klingon'/],
  ];

  it.each(cases)('%s (spnaudit iis)', async (_label, make, pattern) => {
    expectRefused(await iis(make()), pattern);
  }, SLOW);

  it.each(cases.filter(([label]) => ['truncated in the middle of an element', 'random binary bytes', 'an external entity', 'Latin-1 bytes without a declaration'].includes(label)))(
    '%s (spnaudit audit --iis): no report, exit 2',
    async (_label, make, pattern) => {
      expectRefused(await audit(make()), pattern);
    },
    SLOW,
  );

  it('a 200 MB file is refused by its size before it is read', async () => {
    const big = path.join(DIR, 'BIG.applicationHost.config');
    writeFileSync(big, '<configuration><system.applicationHost><applicationPools>\n');
    const chunk = Buffer.from(`<add name="P" />${' '.repeat(1024 * 1024 - 16)}`);
    for (let i = 0; i < 200; i++) appendFileSync(big, chunk);
    expectRefused(await iis(big), /BIG\.applicationHost\.config: file is 200 MB, more than the 64 MB spnaudit reads$/m);
    rmSync(big);
  }, SLOW);
});

describe('entities are never expanded and no file is read on the document\'s behalf', () => {
  it.each([
    ['an undeclared entity reference stays literal', '<add name="&xxe;" />', '&xxe;'],
    ['an XInclude is just an unknown element', '<add name="X" /><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text" />', 'X'],
  ])('%s', async (_label, inner, poolName) => {
    const target = file('literal', `<configuration><system.applicationHost><applicationPools>${inner}</applicationPools></system.applicationHost></configuration>`);
    const r = await iis(target);
    expect(r.code, r.stderr).toBe(0);
    const inventory = JSON.parse(r.stdout) as Inventory;
    expect(inventory.servers[0]!.appPools.map((p) => p.name)).toEqual([poolName]);
    expect(r.stdout + r.stderr).not.toContain(PASSWD_FIRST_LINE);
  }, SLOW);

  it('the refused external-entity files never show /etc/passwd either', async () => {
    for (const f of ['xxe.applicationHost.config', 'billion-laughs.applicationHost.config']) {
      const r = await iis(path.join(FIXTURES, f));
      expect(r.stdout + r.stderr).not.toContain(PASSWD_FIRST_LINE);
      expect(r.stdout + r.stderr).not.toMatch(/lol{5}/);
    }
  }, SLOW);
});

describe('every encoding Windows tools write is read correctly, line numbers included', () => {
  const UNICODE = 'Café-Ωmega';
  const EIGHT_BIT = 'Café-Omega';
  const UTF16_DECL = '<?xml version="1.0" encoding="UTF-16"?>\n';
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const bom = (...b: number[]) => Buffer.from(b);
  // [label, pool name, declaration, encode]
  const cases: Array<[string, string, string, (text: string) => Buffer]> = [
    ['UTF-8 without BOM', UNICODE, '', (t) => Buffer.from(t, 'utf8')],
    ['UTF-8 with BOM', UNICODE, '<?xml version="1.0" encoding="UTF-8"?>\n', (t) => Buffer.concat([bom(0xef, 0xbb, 0xbf), Buffer.from(t, 'utf8')])],
    ['UTF-16 LE with BOM', UNICODE, UTF16_DECL, (t) => Buffer.concat([bom(0xff, 0xfe), Buffer.from(t, 'utf16le')])],
    ['UTF-16 BE with BOM', UNICODE, UTF16_DECL, (t) => Buffer.concat([bom(0xfe, 0xff), utf16be(t)])],
    ['UTF-16 LE without BOM', UNICODE, UTF16_DECL, (t) => Buffer.from(t, 'utf16le')],
    ['UTF-16 BE without BOM', UNICODE, UTF16_DECL, (t) => utf16be(t)],
    ['UTF-8 bytes under a stale UTF-16 declaration', UNICODE, UTF16_DECL, (t) => Buffer.from(t, 'utf8')],
    ['windows-1252 with a declaration', EIGHT_BIT, '<?xml version="1.0" encoding="windows-1252"?>\n', (t) => Buffer.from(t, 'latin1')],
    ['ISO-8859-1 with a declaration', EIGHT_BIT, "<?xml version='1.0' encoding='ISO-8859-1'?>\n", (t) => Buffer.from(t, 'latin1')],
  ];

  it.each(cases)('%s', async (label, name, declaration, encode) => {
    const r = await iis(file(`enc-${label.replace(/\W+/g, '-')}`, encode(`${declaration}${pools(name)}`)));
    expect(r.code, r.stderr).toBe(0);
    const pool = (JSON.parse(r.stdout) as Inventory).servers[0]!.appPools[0]!;
    expect({ name: pool.name, userName: pool.userName, line: pool.pos?.line }).toEqual({ name, userName: `CONTOSO\\svc_${name}`, line: declaration ? 5 : 4 });
  }, SLOW);
});
