/**
 * Runs the plan on copies of the snapshot and inventory and audits the result. The plan must end
 * with no duplicate-spn and no missing-spn on any name it touches; a plan that fails its own
 * simulation is refused. Findings the simulated audit reports that the input did not are listed,
 * so the admin sees the side effects before running anything.
 */
import { runAudit } from '../analyze/audit.js';
import { appLocation } from '../analyze/endpoints.js';
import { spnKey } from '../analyze/spn.js';
import type { Account, Snapshot } from '../model/directory.js';
import type { AccountChange, Finding, FixAction } from '../model/finding.js';
import type { Application, Inventory } from '../model/iis.js';
import { UAC } from '../model/uac.js';
import type { PlanStep, SimulationResult } from './types.js';

export class SimulationError extends Error {
  override name = 'SimulationError';
}

const lc = (s: string): string => s.toLowerCase();

function findAccount(snapshot: Snapshot, account: string, domain: string): Account {
  const hit = snapshot.accounts.find((a) => lc(a.sAMAccountName) === lc(account) && lc(a.domain) === lc(domain));
  if (!hit) throw new SimulationError(`the plan changes ${domain}\\${account}, which is not in the snapshot`);
  return hit;
}

const FLAG_BITS: Partial<Record<string, { bit: number; setWhen: boolean }>> = {
  Enabled: { bit: UAC.ACCOUNTDISABLE, setWhen: false },
  UseDESKeyOnly: { bit: UAC.USE_DES_KEY_ONLY, setWhen: true },
  DoesNotRequirePreAuth: { bit: UAC.DONT_REQ_PREAUTH, setWhen: true },
  TrustedForDelegation: { bit: UAC.TRUSTED_FOR_DELEGATION, setWhen: true },
  TrustedToAuthForDelegation: { bit: UAC.TRUSTED_TO_AUTH_FOR_DELEGATION, setWhen: true },
};

function applyAccountChange(account: Account, change: AccountChange, now: Date): void {
  switch (change.kind) {
    case 'flag': {
      if (change.flag === 'ChangePasswordAtLogon') {
        account.mustChangePassword = change.value;
        if (!change.value && account.pwdLastSet === null) account.pwdLastSet = now.toISOString();
        return;
      }
      const spec = FLAG_BITS[change.flag];
      if (!spec) return;
      const set = change.value === spec.setWhen;
      account.userAccountControl = set ? account.userAccountControl | spec.bit : account.userAccountControl & ~spec.bit;
      return;
    }
    case 'encryption-types':
      account.supportedEncryptionTypes = change.value;
      return;
    case 'clear-expiry':
      account.accountExpires = null;
      return;
    case 'unlock':
      if (account.userAccountControlComputed !== null) account.userAccountControlComputed &= ~UAC.LOCKOUT;
      return;
    case 'reset-password':
      account.pwdLastSet = now.toISOString();
      account.mustChangePassword = false;
      if (account.userAccountControlComputed !== null) account.userAccountControlComputed &= ~UAC.PASSWORD_EXPIRED;
      return;
    case 'multi-value': {
      const values = new Set(change.values.map(lc));
      account.allowedToDelegateTo =
        change.op === 'add'
          ? [...account.allowedToDelegateTo, ...change.values.filter((v) => !account.allowedToDelegateTo.some((x) => lc(x) === lc(v)))]
          : account.allowedToDelegateTo.filter((v) => !values.has(lc(v)));
      return;
    }
    case 'retrieve-password-principals':
      // Names → SIDs is not known offline; the grant itself is checked on the server (Test-ADServiceAccount).
      return;
  }
}

function bool(value: string): boolean {
  return lc(value) === 'true';
}

/** Applies an appcmd-style change to the effective settings of the location and the applications below it. */
function applyIisSet(inventory: Inventory, a: Extract<FixAction, { type: 'iis-set' }>): void {
  const server = inventory.servers.find((s) => lc(s.name) === lc(a.server));
  if (!server) throw new SimulationError(`the plan changes IIS on ${a.server}, which is not in the inventory`);
  const loc = lc(a.location);
  const apps: Application[] = [];
  for (const site of server.sites) {
    for (const app of site.applications) {
      const here = lc(appLocation(site, app));
      if (loc === '' || here === loc || here.startsWith(`${loc}/`)) apps.push(app);
    }
  }
  const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const app of apps) {
    const section = lc(a.section);
    if (section.endsWith('/windowsauthentication')) {
      const w = app.auth.windows;
      if (a.property === 'enabled') w.enabled = bool(a.value);
      else if (a.property === 'useKernelMode') w.useKernelMode = bool(a.value);
      else if (a.property === 'useAppPoolCredentials') w.useAppPoolCredentials = bool(a.value);
      else if (a.property === 'providers') w.providers = list(a.value);
      else if (a.property === 'extendedProtection.spn') w.extendedProtection.spns = list(a.value);
      else if (a.property === 'extendedProtection.flags') w.extendedProtection.flags = list(a.value);
      else if (a.property === 'extendedProtection.tokenChecking') w.extendedProtection.tokenChecking = a.value as typeof w.extendedProtection.tokenChecking;
    } else if (section.endsWith('/anonymousauthentication')) {
      if (a.property === 'enabled') app.auth.anonymous.enabled = bool(a.value);
      else if (a.property === 'userName') app.auth.anonymous.userName = a.value;
    }
  }
}

/** Snapshot and inventory as they would be after the steps (copies; the inputs are not touched). */
export function applySteps(snapshot: Snapshot, inventory: Inventory | null, steps: readonly PlanStep[], now: Date): { snapshot: Snapshot; inventory: Inventory | null } {
  const snap = structuredClone(snapshot);
  const inv = inventory ? structuredClone(inventory) : null;
  for (const { action: a } of steps) {
    if (a.type === 'spn-add') {
      const acc = findAccount(snap, a.account, a.domain);
      if (!acc.servicePrincipalNames.some((s) => lc(s) === lc(a.spn))) acc.servicePrincipalNames = [...acc.servicePrincipalNames, a.spn];
    } else if (a.type === 'spn-remove') {
      const acc = findAccount(snap, a.account, a.domain);
      acc.servicePrincipalNames = acc.servicePrincipalNames.filter((s) => lc(s) !== lc(a.spn));
    } else if (a.type === 'account-set') {
      if (a.change) applyAccountChange(findAccount(snap, a.account, a.domain), a.change, now);
    } else if (inv) {
      applyIisSet(inv, a);
    }
  }
  return { snapshot: snap, inventory: inv };
}

/** SPN keys the steps add or remove. */
function spnStepKeys(steps: readonly PlanStep[]): Set<string> {
  const keys = new Set<string>();
  for (const s of steps) if (s.action.type === 'spn-add' || s.action.type === 'spn-remove') keys.add(spnKey(s.action.spn));
  return keys;
}

function touchedSpns(steps: readonly PlanStep[], before: readonly Finding[], after: readonly Finding[]): Set<string> {
  const touched = new Set<string>();
  const iisLocations = steps.flatMap((s) => (s.action.type === 'iis-set' ? [[lc(s.action.server), lc(s.action.location)] as const] : []));
  for (const s of steps) if (s.action.type === 'spn-add' || s.action.type === 'spn-remove') touched.add(spnKey(s.action.spn));
  // Names served at a changed IIS location: their decrypting account may have changed.
  for (const f of [...before, ...after]) {
    const server = lc(f.subject.server ?? '');
    const site = lc(f.subject.site ?? '');
    if (!f.subject.spn || !server) continue;
    if (iisLocations.some(([srv, loc]) => srv === server && (loc === '' || site === loc || site.startsWith(`${loc}/`)))) touched.add(spnKey(f.subject.spn));
  }
  return touched;
}

/** Rule ids of the steps that touch a finding's name (its SPN, or the IIS location it is about). */
/** The steps that change the SPN or the IIS location a finding is about. */
function stepsTouching(steps: readonly PlanStep[], f: Finding): PlanStep[] {
  const key = spnKey(f.subject.spn ?? '');
  const server = lc(f.subject.server ?? '');
  const site = lc(f.subject.site ?? '');
  return steps.filter((s) => {
    const a = s.action;
    if (a.type === 'spn-add' || a.type === 'spn-remove') return spnKey(a.spn) === key;
    if (a.type === 'iis-set') return lc(a.server) === server && (a.location === '' || site === lc(a.location) || site.startsWith(`${lc(a.location)}/`));
    return false;
  });
}

export function simulatePlan(
  snapshot: Snapshot,
  inventory: Inventory | null,
  steps: readonly PlanStep[],
  before: readonly Finding[],
  opts: { now: Date; passwordAgeDays?: number },
): SimulationResult {
  const after = applySteps(snapshot, inventory, steps, opts.now);
  const audit = runAudit(after.snapshot, after.inventory, { now: opts.now, ...(opts.passwordAgeDays !== undefined ? { passwordAgeDays: opts.passwordAgeDays } : {}) });
  const touched = touchedSpns(steps, before, audit.findings);
  const changedSpns = spnStepKeys(steps);
  const beforePrints0 = new Set(before.map((f) => f.fingerprint));
  // A name the plan adds or removes must end clean. A name only served at a changed IIS location
  // must not get worse: a missing SPN there that the plan neither caused nor was asked to fix
  // (filtered out) does not block the plan, a new one does.
  const remaining = audit.findings
    .filter((f) => (f.ruleId === 'duplicate-spn' || f.ruleId === 'missing-spn') && f.subject.spn && touched.has(spnKey(f.subject.spn)))
    .filter((f) => changedSpns.has(spnKey(f.subject.spn ?? '')) || !beforePrints0.has(f.fingerprint))
    .map((f) => {
      const touching = stepsTouching(steps, f);
      return {
        ruleId: f.ruleId,
        spn: f.subject.spn ?? '',
        message: f.message,
        causedBy: [...new Set(touching.flatMap((s) => s.ruleIds))].sort(),
        stepKeys: touching.map((s) => s.key),
      };
    });
  const beforePrints = new Set(before.map((f) => f.fingerprint));
  const afterPrints = new Set(audit.findings.map((f) => f.fingerprint));
  return {
    touchedSpns: [...touched].sort(),
    remaining,
    introduced: audit.findings.filter((f) => !beforePrints.has(f.fingerprint)).map((f) => ({ ruleId: f.ruleId, fingerprint: f.fingerprint, message: f.message })),
    resolved: before.filter((f) => !afterPrints.has(f.fingerprint)).map((f) => f.fingerprint),
  };
}
