import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderInventoryTable } from '../../../src/cli/iis.js';
import { parseApplicationHostConfig } from '../../../src/iis/index.js';
import type { Inventory } from '../../../src/model/iis.js';
import { lineOf } from './helpers.js';

const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'iis', ...args], {
      env: { ...process.env, SPNAUDIT_DEBUG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const SLOW = 30_000; // each case starts a Node process with the TypeScript loader

describe('spnaudit iis', () => {
  it('prints the example farm as a table', async () => {
    const { code, stdout, stderr } = await run('examples/iis', '--config', 'examples/spnaudit.yaml');
    expect(code).toBe(0);
    expect(stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(stdout).toMatch(/│ WEB03\s+│ Legacy \(5\)\s+│ http \*:8080:legacy\.contoso\.test\s+│ \/\s+│ LegacyPool\s+│ CONTOSO\\svc_apppool_nospn \(domain\)\s+│ on\s+│ on\s+│ no\s+│ NTLM\s+│ off\s+│/);
    expect(stdout).toContain('farm intranet.contoso.test: WEB01, WEB02 (TLS offload at the load balancer)');
    expect(stdout).toContain('cname www.contoso.test -> web03.contoso.test');
  }, SLOW);

  it('prints valid JSON, the Inventory itself, and can write it to a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'spnaudit-cli-')), 'inventory.json');
    const { code, stdout } = await run('--config', 'examples/spnaudit.yaml', '--format', 'json', '--output', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const inventory = JSON.parse(readFileSync(out, 'utf8')) as Inventory;
    expect(inventory.servers.map((s) => s.name)).toEqual(['WEB01', 'WEB02', 'WEB03']);
    expect(inventory.warnings).toEqual([]);
    expect(inventory.servers[2]?.sites[0]?.bindings[0]?.pos).toEqual({
      file: 'examples/iis/WEB03.applicationHost.config',
      line: lineOf(readFileSync('examples/iis/WEB03.applicationHost.config', 'utf8'), 'bindingInformation="*:80:portal.contoso.test"'),
    });
  }, SLOW);

  it.each([
    [['examples/iis', '--format', 'xml'], /^spnaudit: --format must be table or json, not 'xml'\n$/],
    [['test/fixtures/iis/malformed.applicationHost.config'], /^spnaudit: .*malformed\.applicationHost\.config:8: malformed XML: .*\n$/],
    [['test/fixtures/iis/web.config'], /^spnaudit: .*web\.config:2: not an applicationHost\.config.*\n$/],
    [['no/such/dir'], /^spnaudit: .*no\/such\/dir: no such file or folder\n$/],
    [[], /^spnaudit: no IIS servers: .*\n$/],
  ])('%j exits 2 with one line', async (args, pattern) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.replace(/npm warn.*\n/g, '')).toMatch(pattern);
  }, SLOW);
});

describe('renderInventoryTable', () => {
  it('flattens hostile values from config files to one printable line per cell', () => {
    const xml = `<configuration><system.applicationHost>
<applicationPools><add name="P&#10;FAKE ROW&#27;[31m"><processModel identityType="SpecificUser" userName="CONTOSO\\svc" password="hunter2" /></add></applicationPools>
<sites><site name="S&#13;&#10;x" id="1"><application path="/" applicationPool="P&#10;FAKE ROW&#27;[31m" /></site></sites>
</system.applicationHost></configuration>`;
    const parsed = parseApplicationHostConfig(xml, 'h.config', 'X');
    const text = renderInventoryTable({
      servers: [{ name: 'X', netbiosName: 'X', fqdn: null, domain: null, iisVersion: null, configFile: 'h.config', registry: null, tlsOffload: false, ...parsed }],
      farms: [],
      cnames: {},
      browsersIncludePort: false,
      warnings: [{ file: 'h.config', line: 2, message: 'multi\nline' }],
    });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('P FAKE ROW?[31m');
    expect(text).toContain('  h.config:2: multi line\n');
  });
});
