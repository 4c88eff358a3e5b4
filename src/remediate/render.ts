/**
 * One plan step as commands for one shell. Each command is built as data (argv or a PowerShell
 * command tree) and rendered by the shell's module; a value that cannot be written safely, or a
 * change the shell's tool cannot make, yields `manual` with the reason instead of a line.
 */
import type { AccountChange, FixAction } from '../model/finding.js';
import { collectionEdits } from '../rules/iis/provider-fix.js';
import { renderCmd, type CmdCommand } from './cmd.js';
import { accountChangeCommand, renderPsCommand, type PsCommand } from './powershell.js';
import { renderSh, type ShArg } from './sh.js';
import type { PlanMeta, PlanStep } from './types.js';

export type ScriptShell = 'cmd' | 'powershell' | 'sh';

export interface RenderedCommand {
  /** The line to run. */
  line: string;
  /** Shown as a comment before the line (cmd: the PowerShell behind -EncodedCommand). */
  shows?: string;
  /** The command as data, for the tokenizer tests. */
  data: { shell: 'cmd'; cmd: CmdCommand } | { shell: 'powershell'; cmd: PsCommand } | { shell: 'sh'; argv: ShArg[] };
}

export type RenderedStep = { commands: RenderedCommand[] } | { manual: string };

export const APPCMD = '%windir%\\system32\\inetsrv\\appcmd.exe';
export const SAMBA_TOOL_FUNCTION = 'spnaudit_samba_tool';
const APPHOST = 'MACHINE/WEBROOT/APPHOST';
const SECTION = /^[A-Za-z0-9./]+$/;
const PROPERTY = /^[A-Za-z0-9.]+$/;
/** Provider names and SPNs we put inside appcmd's `[key='…']`: no quotes, brackets or spaces. */
const SAFE_ELEMENT = /^[A-Za-z0-9][A-Za-z0-9:._/-]*$/;

const withheld = (what: string, shell: string): RenderedStep => ({ manual: `Command withheld: ${what} cannot be written safely for ${shell}; review and apply by hand.` });

function netbiosAccount(meta: PlanMeta, account: string, domain: string): string {
  return `${meta.netbios[domain.toLowerCase()] ?? (domain.split('.')[0] ?? domain).toUpperCase()}\\${account}`;
}

// ---- collections (IIS providers, extended-protection SPN list) --------------------------------

interface Collection {
  /** Sub-path below the section, e.g. providers. */
  path: string;
  key: 'value' | 'name';
}

const COLLECTIONS: Record<string, Collection> = {
  providers: { path: 'providers', key: 'value' },
  'extendedProtection.spn': { path: 'extendedProtection', key: 'name' },
};

const split = (v: string | null): string[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

function editsFor(a: Extract<FixAction, { type: 'iis-set' }>): Array<{ op: 'add' | 'remove'; value: string }> {
  const current = split(a.previous);
  const desired = split(a.value);
  if (a.property === 'providers') return collectionEdits(current, desired);
  const has = (list: string[], v: string): boolean => list.some((x) => x.toLowerCase() === v.toLowerCase());
  return [
    ...current.filter((v) => !has(desired, v)).map((value) => ({ op: 'remove' as const, value })),
    ...desired.filter((v) => !has(current, v)).map((value) => ({ op: 'add' as const, value })),
  ];
}

// ---- cmd ----------------------------------------------------------------------------------------

function cmdLine(cmd: CmdCommand, shows?: string): RenderedCommand | null {
  const line = renderCmd(cmd);
  return line === null ? null : { line, data: { shell: 'cmd', cmd }, ...(shows !== undefined ? { shows } : {}) };
}

function all<T>(items: Array<T | null>): T[] | null {
  return items.some((i) => i === null) ? null : (items as T[]);
}

function encodedPowerShell(ps: PsCommand, interactive: boolean): RenderedCommand | null {
  const text = renderPsCommand(ps);
  if (text === null) return null;
  const encoded = Buffer.from(text, 'utf16le').toString('base64');
  const args = [{ lit: '-NoProfile' }, ...(interactive ? [] : [{ lit: '-NonInteractive' }]), { lit: '-EncodedCommand' }, { lit: encoded }];
  return cmdLine({ program: 'powershell.exe', args }, text);
}

function renderCmdStep(step: PlanStep, meta: PlanMeta): RenderedStep {
  const a = step.action;
  switch (a.type) {
    case 'spn-add':
    case 'spn-remove': {
      const type = a.accountKind === 'user' ? '-U' : '-C';
      const op = a.type === 'spn-add' ? [...(step.forestWide ? [{ lit: '-F' }] : []), { lit: '-S' }] : [{ lit: '-D' }];
      const line = cmdLine({ program: 'setspn', args: [{ lit: type }, ...op, { value: a.spn }, { value: netbiosAccount(meta, a.account, a.domain) }] });
      return line ? { commands: [line] } : withheld('the SPN or account name', 'cmd.exe');
    }
    case 'iis-set': {
      if (!SECTION.test(a.section) || !PROPERTY.test(a.property)) return withheld('the section or property', 'cmd.exe');
      const loc = a.location === '' ? [] : [{ value: a.location, quote: 'always' as const }];
      const coll = COLLECTIONS[a.property];
      if (coll) {
        if (a.location === '') return withheld('a server-level collection change', 'cmd.exe');
        const lines = editsFor(a).map((e) =>
          SAFE_ELEMENT.test(e.value)
            ? cmdLine({
                program: APPCMD,
                args: [
                  { lit: 'set' },
                  { lit: 'config' },
                  ...loc,
                  { lit: `-section:${a.section}` },
                  { prefix: e.op === 'add' ? '/+' : '/-', value: `${coll.path}.[${coll.key}='${e.value}']`, quote: 'always' },
                  { lit: '/commit:apphost' },
                ],
              })
            : null,
        );
        const ok = all(lines);
        return ok ? { commands: ok } : withheld('the site/application path or a collection value', 'cmd.exe');
      }
      const line = cmdLine({
        program: APPCMD,
        args: [{ lit: 'set' }, { lit: 'config' }, ...loc, { lit: `-section:${a.section}` }, { prefix: `/${a.property}:`, value: a.value, quote: 'always' }, { lit: '/commit:apphost' }],
      });
      return line ? { commands: [line] } : withheld('the site/application path or value', 'cmd.exe');
    }
    case 'account-set': {
      if (!a.change) return { manual: 'This account change carries no structured form; apply the fix shown in the audit by hand.' };
      const line = encodedPowerShell(accountChangeCommand({ sAMAccountName: a.account, kind: a.accountKind, domain: a.domain }, a.change), a.change.kind === 'reset-password');
      return line ? { commands: [line] } : withheld('the account name or a value', 'PowerShell');
    }
  }
}

// ---- PowerShell ---------------------------------------------------------------------------------

function psLine(cmd: PsCommand): RenderedCommand | null {
  const line = renderPsCommand(cmd);
  return line === null ? null : { line, data: { shell: 'powershell', cmd } };
}

const CLASS_CMDLET = { user: 'Set-ADUser', computer: 'Set-ADComputer', gmsa: 'Set-ADServiceAccount', msa: 'Set-ADServiceAccount' } as const;

function renderPsStep(step: PlanStep): RenderedStep {
  const a = step.action;
  switch (a.type) {
    case 'spn-add':
    case 'spn-remove': {
      const line = psLine({
        name: CLASS_CMDLET[a.accountKind],
        params: [
          { name: 'Identity', value: { t: 'str', v: a.account } },
          { name: 'ServicePrincipalNames', value: { t: 'hash', v: [[a.type === 'spn-add' ? 'Add' : 'Remove', { t: 'str', v: a.spn }]] } },
          { name: 'Server', value: { t: 'str', v: a.domain } },
        ],
      });
      return line ? { commands: [line] } : withheld('the SPN or account name', 'PowerShell');
    }
    case 'iis-set': {
      if (!SECTION.test(a.section) || !PROPERTY.test(a.property)) return withheld('the section or property', 'PowerShell');
      const where = [
        { name: 'PSPath', value: { t: 'str' as const, v: APPHOST } },
        ...(a.location === '' ? [] : [{ name: 'Location', value: { t: 'str' as const, v: a.location } }]),
      ];
      const coll = COLLECTIONS[a.property];
      if (coll) {
        const lines = editsFor(a).map((e) =>
          psLine({
            name: e.op === 'add' ? 'Add-WebConfigurationProperty' : 'Remove-WebConfigurationProperty',
            params: [
              ...where,
              { name: 'Filter', value: { t: 'str', v: `${a.section}/${coll.path}` } },
              { name: 'Name', value: { t: 'str', v: '.' } },
              { name: e.op === 'add' ? 'Value' : 'AtElement', value: { t: 'hash', v: [[coll.key, { t: 'str', v: e.value }]] } },
            ],
          }),
        );
        const ok = all(lines);
        return ok ? { commands: ok } : withheld('the site/application path or a collection value', 'PowerShell');
      }
      const dot = a.property.lastIndexOf('.');
      const filter = dot < 0 ? a.section : `${a.section}/${a.property.slice(0, dot).replace(/\./g, '/')}`;
      const name = dot < 0 ? a.property : a.property.slice(dot + 1);
      const line = psLine({
        name: 'Set-WebConfigurationProperty',
        params: [...where, { name: 'Filter', value: { t: 'str', v: filter } }, { name: 'Name', value: { t: 'str', v: name } }, { name: 'Value', value: { t: 'str', v: a.value } }],
      });
      return line ? { commands: [line] } : withheld('the site/application path or value', 'PowerShell');
    }
    case 'account-set': {
      if (!a.change) return { manual: 'This account change carries no structured form; apply the fix shown in the audit by hand.' };
      const line = psLine(accountChangeCommand({ sAMAccountName: a.account, kind: a.accountKind, domain: a.domain }, a.change));
      return line ? { commands: [line] } : withheld('the account name or a value', 'PowerShell');
    }
  }
}

// ---- samba-tool (sh) -----------------------------------------------------------------------------

function shLine(args: ShArg[]): RenderedCommand | null {
  const line = renderSh(args);
  return line === null ? null : { line, data: { shell: 'sh', argv: args } };
}

/** samba-tool command words for an account change, or why it has none. */
function sambaAccountArgs(account: string, kind: string, change: AccountChange): ShArg[][] | string {
  const tool = { lit: SAMBA_TOOL_FUNCTION };
  const acct = { value: account };
  switch (change.kind) {
    case 'flag':
      if (change.flag === 'Enabled' && kind === 'user') return [[tool, { lit: 'user' }, { lit: change.value ? 'enable' : 'disable' }, acct]];
      if (change.flag === 'TrustedForDelegation') return [[tool, { lit: 'delegation' }, { lit: 'for-any-service' }, acct, { lit: change.value ? 'on' : 'off' }]];
      if (change.flag === 'TrustedToAuthForDelegation') return [[tool, { lit: 'delegation' }, { lit: 'for-any-protocol' }, acct, { lit: change.value ? 'on' : 'off' }]];
      return `samba-tool has no command for ${change.flag}`;
    case 'multi-value':
      return change.values.map((v) => [tool, { lit: 'delegation' }, { lit: change.op === 'add' ? 'add-service' : 'del-service' }, acct, { value: v }]);
    case 'clear-expiry':
      return kind === 'user' ? [[tool, { lit: 'user' }, { lit: 'setexpiry' }, acct, { lit: '--noexpiry' }]] : 'samba-tool sets expiry dates of users only';
    case 'unlock':
      return kind === 'user' ? [[tool, { lit: 'user' }, { lit: 'unlock' }, acct]] : 'samba-tool unlocks users only';
    case 'reset-password':
      return 'a password reset is interactive: run samba-tool user setpassword for the account by hand';
    case 'encryption-types':
      return 'samba-tool has no command for msDS-SupportedEncryptionTypes';
    case 'retrieve-password-principals':
      return 'samba-tool 4.17 has no command for msDS-GroupMSAMembership';
  }
}

function renderSambaStep(step: PlanStep): RenderedStep {
  const a = step.action;
  const manual = (why: string, value: string): RenderedStep => ({ manual: `Manual: ${why}. ${value}` });
  switch (a.type) {
    case 'spn-add':
    case 'spn-remove': {
      // samba-tool parses DOMAIN\user and user@realm itself: such a name would select another account.
      if (/[\\@]/.test(a.account)) return withheld('an account name with \\ or @', 'samba-tool');
      const line = shLine([{ lit: SAMBA_TOOL_FUNCTION }, { lit: 'spn' }, { lit: a.type === 'spn-add' ? 'add' : 'delete' }, { value: a.spn }, { value: a.account }]);
      return line ? { commands: [line] } : withheld('the SPN or account name', 'sh/samba-tool');
    }
    case 'iis-set':
      return { manual: `Manual: samba-tool cannot change IIS; use the iis-${a.server} script (cmd) on ${a.server}.` };
    case 'account-set': {
      if (!a.change) return { manual: 'This account change carries no structured form; apply the fix shown in the audit by hand.' };
      if (/[\\@]/.test(a.account)) return withheld('an account name with \\ or @', 'samba-tool');
      const args = sambaAccountArgs(a.account, a.accountKind, a.change);
      if (typeof args === 'string') return manual(args, `Change: ${a.property} = ${a.value} on ${a.account}.`);
      const lines = all(args.map(shLine));
      return lines ? { commands: lines } : withheld('the account name or a value', 'sh/samba-tool');
    }
  }
}

export function renderStep(step: PlanStep, shell: ScriptShell, meta: PlanMeta): RenderedStep {
  if (shell === 'cmd') return renderCmdStep(step, meta);
  if (shell === 'powershell') return renderPsStep(step);
  return renderSambaStep(step);
}
