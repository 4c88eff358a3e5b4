/**
 * What each plan command is FOR, taken from `spnaudit plan --json` (the steps and the rollback as
 * data), and the check that every SPN or IIS command a script runs — as its shell tokenizes it — does
 * exactly one of those things with exactly those values: no split, merged, shifted or extra argument.
 */
import { expect } from 'vitest';
import type { FixAction } from '../../../../src/model/finding.js';
import { tokenizePowerShellLine, type PsToken } from '../../remediate/tokenizers.js';
import type { ScriptCommand, ScriptKind } from './inert.js';

export interface PlanJson {
  shell: string;
  meta: { netbios: Record<string, string> };
  steps: Array<{ action?: FixAction }>;
  rollback: Array<{ action?: FixAction }>;
  files: string[];
}

const key = (...parts: string[]) => JSON.stringify(parts);

function intents(plan: PlanJson): { spn: Set<string>; spns: Set<string>; accounts: Set<string>; iisLocations: Set<string> } {
  const spn = new Set<string>();
  const spns = new Set<string>();
  const accounts = new Set<string>();
  const iisLocations = new Set<string>();
  for (const step of [...plan.steps, ...plan.rollback]) {
    const a = step.action;
    if (!a) continue;
    if (a.type === 'spn-add' || a.type === 'spn-remove') {
      const netbios = plan.meta.netbios[a.domain.toLowerCase()] ?? a.domain.split('.')[0]!.toUpperCase();
      const op = a.type === 'spn-add' ? 'add' : 'remove';
      spn.add(key(op, a.spn, `${netbios}\\${a.account}`));
      spn.add(key(op, a.spn, a.account));
      spns.add(a.spn);
      accounts.add(a.account);
    }
    if (a.type === 'iis-set') iisLocations.add(a.location);
  }
  return { spn, spns, accounts, iisLocations };
}

function psString(t: PsToken | undefined): string | null {
  return t?.t === 'str' ? t.v : null;
}

function psParam(elements: PsToken[], name: string): PsToken | undefined {
  const i = elements.findIndex((e) => e.t === 'param' && e.name.toLowerCase() === name.toLowerCase());
  if (i < 0) return undefined;
  const p = elements[i]!;
  return p.t === 'param' && p.colonValue ? p.colonValue : elements[i + 1];
}

export function expectPlanIntent(plan: PlanJson, file: string, kind: ScriptKind, commands: readonly ScriptCommand[]): void {
  const { spn, spns, accounts, iisLocations } = intents(plan);
  for (const c of commands) {
    const where = `${file}: ${JSON.stringify(c.line.slice(0, 160))}`;
    if (c.shell === 'cmd' && c.argv[0] === 'setspn' && c.argv[1] === '-F' && c.argv[2] === '-Q') {
      // Verification: who holds one of the SPNs the plan touches.
      expect(c.argv.length, where).toBe(4);
      expect(spns.has(c.argv[3]!), where).toBe(true);
    } else if (c.shell === 'sh' && c.argv[0] === 'spnaudit_samba_tool' && c.argv[1] === 'spn' && c.argv[2] === 'list') {
      expect(c.argv.length, where).toBe(4);
      expect(accounts.has(c.argv[3]!), where).toBe(true);
    } else if (c.shell === 'cmd' && c.argv[0] === 'setspn' && !(c.argv[1] === '-X' && c.argv[2] === '-F')) {
      expect(c.argv.length, where).toBe(5);
      expect(['-U', '-C'], where).toContain(c.argv[1]);
      expect(['-S', '-D'], where).toContain(c.argv[2]);
      expect(spn.has(key(c.argv[2] === '-S' ? 'add' : 'remove', c.argv[3]!, c.argv[4]!)), where).toBe(true);
    } else if (c.shell === 'cmd' && /appcmd\.exe$/i.test(c.argv[0] ?? '')) {
      expect(c.argv.slice(1, 3), where).toEqual(['set', 'config']);
      expect(iisLocations.has(c.argv[3]!), where).toBe(true);
    } else if (c.shell === 'sh' && c.argv[0] === 'spnaudit_samba_tool' && c.argv[1] === 'spn') {
      expect(c.argv.length, where).toBe(5);
      expect(['add', 'delete'], where).toContain(c.argv[2]);
      expect(spn.has(key(c.argv[2] === 'add' ? 'add' : 'remove', c.argv[3]!, c.argv[4]!)), where).toBe(true);
    } else if (c.shell === 'powershell') {
      const parsed = tokenizePowerShellLine(c.line);
      if (parsed.kind !== 'command') continue;
      const spnParam = psParam(parsed.elements, 'ServicePrincipalNames');
      if (spnParam?.t === 'hash') {
        const identity = psString(psParam(parsed.elements, 'Identity'));
        expect(identity, where).not.toBeNull();
        for (const [op, value] of spnParam.entries) {
          const list = value.t === 'array' ? value.items : [value];
          for (const item of list) expect(spn.has(key(op.toLowerCase(), psString(item) ?? '\u0000', identity!)), where).toBe(true);
        }
      }
      if (parsed.name === 'setspn') {
        expect(parsed.elements.slice(0, 2), where).toEqual([
          { t: 'param', name: 'F' },
          { t: 'param', name: 'Q' },
        ]);
        expect(parsed.elements.length, where).toBe(3);
        expect(spns.has(psString(parsed.elements[2]) ?? '\u0000'), where).toBe(true);
      }
      if (parsed.name === 'Set-WebConfigurationProperty') {
        expect(psString(psParam(parsed.elements, 'PSPath')), where).toBe('MACHINE/WEBROOT/APPHOST');
        const location = psString(psParam(parsed.elements, 'Location'));
        expect(location !== null && iisLocations.has(location), where).toBe(true);
      }
    }
  }
  // Scripts only ever call these programs (and the samba wrapper function).
  const programs = new Set(commands.map((c) => (c.shell === 'powershell' ? c.name : c.argv[0]!.replace(/^.*\\/, '').toLowerCase())));
  const allowed: Record<ScriptKind, string[]> = {
    cmd: ['setspn', 'appcmd.exe', 'powershell.exe', 'Set-ADUser', 'Set-ADComputer', 'Set-ADServiceAccount', 'Set-ADAccountControl', 'Set-ADAccountExpiration', 'Unlock-ADAccount', 'Set-ADAccountPassword', 'Set-WebConfigurationProperty', 'Add-WebConfigurationProperty', 'Remove-WebConfigurationProperty', 'Clear-WebConfiguration'],
    powershell: ['setspn', 'Set-ADUser', 'Set-ADComputer', 'Set-ADServiceAccount', 'Set-ADAccountControl', 'Set-ADAccountExpiration', 'Unlock-ADAccount', 'Set-ADAccountPassword', 'Set-WebConfigurationProperty', 'Add-WebConfigurationProperty', 'Remove-WebConfigurationProperty', 'Clear-WebConfiguration'],
    sh: ['spnaudit_samba_tool'],
  };
  expect([...programs].filter((p) => !allowed[kind].includes(p)), file).toEqual([]);
}
