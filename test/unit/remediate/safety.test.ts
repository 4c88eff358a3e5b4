/**
 * A generated line runs exactly the intended command, or it is not generated: every command the
 * plan can render, with every hostile value in every position, tokenized back by an independent
 * tokenizer per shell (cmd.exe + MSVC argv, PowerShell, POSIX sh).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FixAction } from '../../../src/model/finding.js';
import { inertText } from '../../../src/remediate/quote.js';
import { renderStep, type ScriptShell } from '../../../src/remediate/render.js';
import type { PlanMeta, PlanStep } from '../../../src/remediate/types.js';
import { BENIGN_VALUES, HOSTILE_VALUES } from '../../fixtures/hostile/corpus.js';
import { expectLineRuns } from './expect-argv.js';
import { msvcArgv, tokenizeCmdLine, tokenizePowerShellLine, tokenizeShLine, TokenizeError } from './tokenizers.js';

const META: PlanMeta = {
  domains: ['contoso.test'],
  servers: [],
  collectedAt: null,
  snapshotFile: null,
  generatedAt: '2026-01-01T00:00:00.000Z',
  toolVersion: 'test',
  filters: { only: [], exclude: [], accounts: [], hosts: [], minSeverity: 'warning' },
  netbios: { 'contoso.test': 'CONTOSO' },
  pools: {},
};

const SHELLS: ScriptShell[] = ['cmd', 'powershell', 'sh'];
const WINDOWS_AUTH = 'system.webServer/security/authentication/windowsAuthentication';

/** Every kind of change the plan renders, with `v` in each untrusted position. */
function actionsWith(v: string): FixAction[] {
  const acct = { accountKind: 'user' as const, domain: 'contoso.test' };
  return [
    { type: 'spn-add', spn: v, account: 'svc_web', ...acct },
    { type: 'spn-add', spn: 'HTTP/web.contoso.test', account: v, ...acct },
    { type: 'spn-remove', spn: v, account: 'WEB01$', accountKind: 'computer', domain: 'contoso.test' },
    { type: 'spn-remove', spn: 'HTTP/x', account: v, accountKind: 'gmsa', domain: 'contoso.test' },
    { type: 'iis-set', server: 'WEB01', location: v, section: WINDOWS_AUTH, property: 'useAppPoolCredentials', value: 'True', previous: 'False' },
    { type: 'iis-set', server: 'WEB01', location: 'Site', section: 'system.webServer/security/authentication/anonymousAuthentication', property: 'userName', value: v, previous: 'IUSR' },
    { type: 'iis-set', server: v, location: 'Site', section: WINDOWS_AUTH, property: 'providers', value: `Negotiate,${v}`, previous: 'NTLM' },
    { type: 'iis-set', server: 'WEB01', location: 'Site', section: WINDOWS_AUTH, property: 'extendedProtection.spn', value: `HTTP/a,${v}`, previous: 'HTTP/a' },
    {
      type: 'account-set',
      account: v,
      ...acct,
      property: 'Enabled',
      value: 'true',
      previous: 'false',
      change: { kind: 'flag', cmdlet: 'class', flag: 'Enabled', value: true, previous: false },
    },
    {
      type: 'account-set',
      account: 'svc_kcd',
      ...acct,
      property: 'msDS-AllowedToDelegateTo',
      value: v,
      previous: null,
      change: { kind: 'multi-value', attribute: 'msDS-AllowedToDelegateTo', op: 'add', values: [v, 'cifs/fs01'], previous: [] },
    },
    {
      type: 'account-set',
      account: 'gmsa_web$',
      accountKind: 'gmsa',
      domain: v,
      property: 'PrincipalsAllowedToRetrieveManagedPassword',
      value: v,
      previous: '',
      change: { kind: 'retrieve-password-principals', value: ['WEB01$', v], previous: ['WEB01$'] },
    },
  ];
}

function step(action: FixAction): PlanStep {
  const phase = action.type === 'account-set' ? 'account' : action.type === 'iis-set' ? 'iis' : action.type;
  return { key: 'k', phase, action, findings: [], ruleIds: [], notes: [], forestWide: true };
}

/** Renders and checks every line; returns how many commands were rendered (vs withheld). */
function checkAll(value: string): { rendered: number; withheld: number } {
  let rendered = 0;
  let withheld = 0;
  for (const shell of SHELLS) {
    for (const action of actionsWith(value)) {
      const r = renderStep(step(action), shell, META);
      if ('manual' in r) {
        withheld++;
        continue;
      }
      for (const c of r.commands) {
        rendered++;
        expectLineRuns(shell === 'cmd' ? `${c.line} || goto :failed` : c.line, c);
        // cmd runs PowerShell through -EncodedCommand: the encoded text must be the shown command, and safe itself.
        if (c.data.shell === 'cmd' && c.shows !== undefined) {
          const encoded = c.data.cmd.args.at(-1);
          expect(encoded && 'lit' in encoded ? Buffer.from(encoded.lit, 'base64').toString('utf16le') : null).toBe(c.shows);
          expect(tokenizePowerShellLine(c.shows).kind).toBe('command');
        }
      }
    }
  }
  return { rendered, withheld };
}

describe('the tokenizers themselves', () => {
  it.each([
    ['setspn -U -S "HTTP/a b" CONTOSO\\svc', ['setspn', '-U', '-S', 'HTTP/a b', 'CONTOSO\\svc']],
    ['x "a b\\\\" c', ['x', 'a b\\', 'c']],
    ['x "a\\"b" c', ['x', 'a"b', 'c']],
    ['x a\\\\b', ['x', 'a\\\\b']],
    ['x /p:"v w" /q', ['x', '/p:v w', '/q']],
  ])('MSVC argv of %s', (line, argv) => {
    expect(msvcArgv(line)).toEqual(argv);
  });

  it.each([
    ['a & calc', [['a'], ['calc']]],
    ['a "b & c"', [['a', 'b & c']]],
    ['a ^& b', [['a', '&', 'b']]],
    ['setspn x || goto :failed', [['setspn', 'x'], ['goto', ':failed']]],
    ['%windir%\\x.exe a', [['C:\\Windows\\x.exe', 'a']]],
  ])('cmd line %s', (line, argvs) => {
    const r = tokenizeCmdLine(line);
    expect(r.kind === 'commands' ? r.segments.map((s) => s.argv) : r.kind).toEqual(argvs);
  });

  it.each(['a "%COMSPEC%"', 'a (b)', 'a > out', 'a ^', 'REM %~dp0', 'REM a & b', 'a "unbalanced'])('cmd rejects %s', (line) => {
    expect(() => tokenizeCmdLine(line)).toThrow(TokenizeError);
  });

  it.each([
    ["Set-ADUser -Identity 'a''b'", [{ t: 'param', name: 'Identity' }, { t: 'str', v: "a'b" }]],
    ["X -A '\u2019\u2019'", [{ t: 'param', name: 'A' }, { t: 'str', v: '\u2019' }]],
    ["X -A 'a\u2019 b", [{ t: 'param', name: 'A' }, { t: 'str', v: 'a' }, { t: 'bare', v: 'b' }]],
    ['X -Confirm:$false', [{ t: 'param', name: 'Confirm', colonValue: { t: 'bool', v: false } }]],
    ["X @{Add='a'; 'k-1'=@('b','c')}", [{ t: 'hash', entries: [['Add', { t: 'str', v: 'a' }], ['k-1', { t: 'array', items: [{ t: 'str', v: 'b' }, { t: 'str', v: 'c' }] }]] }]],
    ['X \u2013Reset', [{ t: 'param', name: 'Reset' }]],
  ])('PowerShell %s', (line, elements) => {
    expect(tokenizePowerShellLine(line)).toEqual({ kind: 'command', name: 'X'.length && line.split(' ')[0], elements });
  });

  // 'a’' : the typographic quote followed by ' is an escaped quote to PowerShell, so the string never ends.
  it.each(["X 'a\u2019'", 'X "a"', 'X \u201ca\u201d', 'X $env:x', "X 'a'; calc", 'X $(calc)', 'X `calc', "X 'unterminated"])('PowerShell rejects %s', (line) => {
    expect(() => tokenizePowerShellLine(line)).toThrow(TokenizeError);
  });

  it.each([
    ["a 'b'\\''c' d", ['a', "b'c", 'd']],
    ["a '$(id)' '&'", ['a', '$(id)', '&']],
    ['a \\$x', ['a', '$x']],
  ])('sh %s', (line, argv) => {
    expect(tokenizeShLine(line)).toEqual({ kind: 'command', argv });
  });

  it.each(['a $(id)', 'a;b', 'a "b"', 'a *', 'a #c', 'a `id`', "a 'b"])('sh rejects %s', (line) => {
    expect(() => tokenizeShLine(line)).toThrow(TokenizeError);
  });
});

describe('every command over the hostile corpus runs exactly its argv, or is withheld', () => {
  it.each(HOSTILE_VALUES.map((h) => [h.id, h.value, h.why] as const))('%s', (_id, value) => {
    const { rendered, withheld } = checkAll(value);
    expect(rendered + withheld).toBeGreaterThan(0);
  });

  it.each(['newline', 'crlf', 'nul', 'rtl-override', 'line-separator', 'zero-width'])('%s is withheld in every shell and position', (id) => {
    const value = HOSTILE_VALUES.find((h) => h.id === id)!.value;
    for (const shell of SHELLS) {
      for (const action of actionsWith(value)) {
        const r = renderStep(step(action), shell, META);
        // A server name is no part of any command line (it picks the file), so it cannot be injected.
        if (action.type === 'iis-set' && action.server === value && !action.value.includes(value)) continue;
        expect('manual' in r, `${shell} ${JSON.stringify(action).slice(0, 120)}`).toBe(true);
      }
    }
  });

  it.each(BENIGN_VALUES)('ordinary value %s is never withheld', (value) => {
    for (const shell of SHELLS) {
      const r = renderStep(step({ type: 'spn-add', spn: value, account: 'svc_web', accountKind: 'user', domain: 'contoso.test' }), shell, META);
      expect('commands' in r, shell).toBe(true);
    }
  });

  it('leading - or / in a standalone argument is withheld (it would be read as a switch)', () => {
    for (const value of ['-D', '/Q']) {
      const spnAdd: FixAction = { type: 'spn-add', spn: value, account: 'svc', accountKind: 'user', domain: 'contoso.test' };
      expect('manual' in renderStep(step(spnAdd), 'cmd', META)).toBe(true);
    }
    const dash: FixAction = { type: 'spn-add', spn: '-H', account: 'svc', accountKind: 'user', domain: 'contoso.test' };
    expect('manual' in renderStep(step(dash), 'sh', META)).toBe(true);
    // PowerShell gets it as a quoted string, never as a parameter.
    expect('commands' in renderStep(step(dash), 'powershell', META)).toBe(true);
  });
});

const hostileChar = fc.constantFrom(...'&|^%!"\'`$;()<>\\/ \t\n\r\u0000\u202e\u2018\u2019\u201c\u201d\u2215\uff0f\u2028#*?[~=,@:-é'.split(''));
const hostileString = fc.oneof(
  fc.array(hostileChar, { maxLength: 12 }).map((cs) => cs.join('')),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

describe('properties', () => {
  it('any value in any position: the line tokenizes to the intended argv, or the command is withheld', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        checkAll(value);
      }),
      { numRuns: 400 },
    );
  });

  it('a comment line stays one inert comment line whatever the text', () => {
    fc.assert(
      fc.property(hostileString, (text) => {
        const cmd = `REM ${inertText(text, 'cmd')}`;
        expect(tokenizeCmdLine(cmd)).toEqual({ kind: 'comment' });
        expect(cmd).not.toMatch(/[\r\n\u2028\u2029\u0085\u0000]/);
        expect(tokenizePowerShellLine(`# ${inertText(text, 'powershell')}`)).toEqual({ kind: 'comment' });
        expect(tokenizeShLine(`# ${inertText(text, 'sh')}`)).toEqual({ kind: 'comment' });
        for (const style of ['powershell', 'sh'] as const) expect(inertText(text, style)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/);
      }),
      { numRuns: 400 },
    );
  });
});
