/**
 * The contract between the analyzer model and the rules. A rule is data plus a pure function
 * (like an ESLint rule): it reads the context and returns findings; it never does I/O.
 */
import type { Account, Domain, Forest, Snapshot } from '../model/directory.js';
import type { Inventory } from '../model/iis.js';
import type { Finding, RuleCategory, Severity } from '../model/finding.js';

/** A parsed, normalized SPN: `class/host[:port][/name]`. */
export interface ParsedSpn {
  /** The value exactly as stored (the KDC matches the stored value; never trimmed for display). */
  original: string;
  /** Lower-cased, as used for comparison. */
  key: string;
  serviceClass: string;
  host: string;
  port: number | null;
  /** Non-numeric instance after ':' (MSSQLSvc/host:INSTANCE). */
  instance: string | null;
  serviceName: string | null;
}

export interface SpnHolder {
  account: Account;
  /** The SPN value as stored on this account. */
  spn: string;
}

export type Resolution =
  | { via: 'explicit'; holders: SpnHolder[] }
  | { via: 'host-alias'; holders: SpnHolder[]; hostSpn: string }
  | { via: 'none'; holders: [] };

/** The forest-wide SPN index. Lookups are case-insensitive and scoped to one forest. */
export interface SpnIndex {
  /** Accounts holding exactly this SPN (explicit values only), within the forest. */
  holders(spn: string, forest: string): SpnHolder[];
  /** What the KDC does: explicit SPN first; only when nobody holds it, HOST/x through sPNMappings. */
  resolve(spn: string, forest: string): Resolution;
  /** Whether anybody in the forest holds exactly this SPN (no allocation: for scans of millions). */
  isHeld(spn: string, forest: string): boolean;
  /** How many accounts in the forest hold exactly this SPN. */
  holderCount(spn: string, forest: string): number;
  /** Some account holds `spn` and does not hold `other` (no allocation: host-alias-conflict's scan of every SPN). */
  heldOutside(spn: string, other: string, forest: string): boolean;
  /** resolve() gives exactly one holder, and it is this account (explicitly or through the HOST alias). */
  resolvesOnlyTo(spn: string, forest: string, account: Account): boolean;
  /** Every distinct SPN in the forest, once, as first stored (scans filter these, then ask holders()). */
  spellings(forest: string): readonly string[];
  /** SPN keys (lower-cased) held by two or more accounts in the forest, each with its holders. */
  duplicates(forest: string): Iterable<[string, SpnHolder[]]>;
  /** Service classes that map to HOST in this forest (sPNMappings). */
  hostAliases(forest: string): ReadonlySet<string>;
  /** Forest root of the domain holding the account. */
  forestOf(account: Account): string;
}

export interface AnalyzeOptions {
  /** "now" is injected so rules stay pure and tests deterministic. */
  now: Date;
  /** Passwords older than this many days raise kerberoastable-user. */
  passwordAgeDays: number;
}

export interface RuleContext {
  snapshot: Snapshot;
  /** null when no IIS input was given: IIS-dependent rules must not run. */
  inventory: Inventory | null;
  index: SpnIndex;
  forests: Forest[];
  domains: Domain[];
  /** Look up an account by DOMAIN\sam, sam@upn-suffix, or bare sam (case-insensitive). */
  findAccount(name: string, domainHint?: string | null): Account | undefined;
  /** Every account with this sAMAccountName (case-insensitive), in any domain, in the file's order. */
  accountsNamed(sam: string): Account[];
  /** Display name DOMAIN\sAMAccountName. */
  displayName(account: Account): string;
  options: AnalyzeOptions;
}

export interface RuleMeta {
  /** Stable public id (kebab-case). Reports, tickets and baselines key on it. */
  id: string;
  severity: Severity;
  category: RuleCategory;
  title: string;
  /** One paragraph: the condition and the symptom users see. */
  why: string;
  /** Docs page, relative to the repository root. */
  docs: string;
  /** true when the rule needs IIS input; the runner skips it (and says so) without an inventory. */
  needsInventory: boolean;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): Finding[];
}
