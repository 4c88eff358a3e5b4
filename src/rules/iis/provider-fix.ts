/**
 * appcmd fixes for the collections inside windowsAuthentication: the provider list and the
 * extended-protection SPN list. appcmdSet (fixes.ts) sets attributes only; collections need
 * `/+"providers.[value='X']"` and `/-"providers.[value='X']"`. The `/-` form is the documented
 * sample for providers (iis-docs windowsAuthentication/providers/add) and
 * `/+"extendedProtection.[name='HTTP/x']"` the documented sample for extended protection; the
 * provider `/+` mirrors them. Same safety rule as fixes.ts: every value is quoted with
 * quoteCmdAlways, and a value that cannot be quoted safely withholds the command.
 */
import { manualFix } from '../../analyze/fixes.js';
import type { Fix, FixAction } from '../../model/finding.js';
import { quoteCmdAlways } from '../../remediate/quote.js';

export const WINDOWS_AUTH_SECTION = 'system.webServer/security/authentication/windowsAuthentication';

export interface CollectionEdit {
  op: 'add' | 'remove';
  value: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const has = (list: readonly string[], v: string): boolean => list.some((x) => same(x, v));

/**
 * Edits that turn `current` into `desired` with only removals and appends (appcmd adds at the
 * end). The common prefix stays; the rest is removed and appended in order. When every new
 * element comes before every re-added one, the new ones are added first so the list is never
 * empty in between (no request meets a Windows-auth section without providers).
 */
export function collectionEdits(current: readonly string[], desired: readonly string[]): CollectionEdit[] {
  let k = 0;
  while (k < current.length && k < desired.length && same(current[k] ?? '', desired[k] ?? '')) k++;
  const tailCurrent = current.slice(k);
  const tailDesired = desired.slice(k);
  const removals = tailCurrent.map((value): CollectionEdit => ({ op: 'remove', value }));
  const fresh = tailDesired.filter((v) => !has(current, v));
  const readded = tailDesired.filter((v) => has(tailCurrent, v));
  const lastFresh = Math.max(-1, ...fresh.map((v) => tailDesired.findIndex((x) => same(x, v))));
  const firstReadded = Math.min(tailDesired.length, ...readded.map((v) => tailDesired.findIndex((x) => same(x, v))));
  // Elements of the kept prefix never reappear in the tail (desired has no duplicates), so
  // tailDesired = fresh ∪ readded; appending fresh then readded keeps desired's order only if
  // no fresh element follows a re-added one.
  if (lastFresh < firstReadded) {
    return [
      ...fresh.map((value): CollectionEdit => ({ op: 'add', value })),
      ...removals,
      ...readded.map((value): CollectionEdit => ({ op: 'add', value })),
    ];
  }
  return [...removals, ...tailDesired.map((value): CollectionEdit => ({ op: 'add', value }))];
}

/** Provider names and SPNs we are willing to put inside `[value='…']`: no quotes, brackets or spaces. */
const SAFE_ELEMENT = /^[A-Za-z0-9][A-Za-z0-9:._/-]*$/;

function withheld(action: FixAction, note?: string): Fix {
  return {
    ...manualFix(
      'Command withheld: the site/application path or a collection value contains characters that cannot be quoted safely; review and apply by hand.',
      note,
    ),
    action,
  };
}

interface CollectionFixInput {
  server: string;
  /** appcmd location ("Site" or "Site/app"). */
  location: string;
  /** appcmd collection path inside the section, e.g. "providers" or "extendedProtection". */
  collection: string;
  /** The element's key attribute: "value" for providers, "name" for extended-protection SPNs. */
  keyAttribute: 'value' | 'name';
  edits: CollectionEdit[];
  action: FixAction;
  note?: string;
}

function collectionFix(input: CollectionFixInput): Fix {
  const qLoc = quoteCmdAlways(input.location);
  if (qLoc === null || input.location === '') return withheld(input.action, input.note);
  const commands: string[] = [];
  for (const edit of input.edits) {
    if (!SAFE_ELEMENT.test(edit.value)) return withheld(input.action, input.note);
    const qElement = quoteCmdAlways(`${input.collection}.[${input.keyAttribute}='${edit.value}']`);
    if (qElement === null) return withheld(input.action, input.note);
    const sign = edit.op === 'add' ? '+' : '-';
    commands.push(`%windir%\\system32\\inetsrv\\appcmd.exe set config ${qLoc} -section:${WINDOWS_AUTH_SECTION} /${sign}${qElement} /commit:apphost`);
  }
  return {
    kind: 'appcmd',
    // && stops at the first failing step, so a half-applied list is visible instead of hidden.
    command: commands.join(' && '),
    note: input.note ?? `run on ${input.server}`,
    action: input.action,
  };
}

/**
 * Sets the Windows-auth provider list of `location` to `desired` (in order). The structured action
 * is an 'iis-set' of property 'providers' whose value is the full new list, comma-separated.
 */
export function appcmdProviders(server: string, location: string, current: readonly string[], desired: readonly string[], opts: { note?: string } = {}): Fix {
  const action: FixAction = {
    type: 'iis-set',
    server,
    location,
    section: WINDOWS_AUTH_SECTION,
    property: 'providers',
    value: desired.join(','),
    previous: current.join(','),
  };
  return collectionFix({
    server,
    location,
    collection: 'providers',
    keyAttribute: 'value',
    edits: collectionEdits(current, desired),
    action,
    ...(opts.note !== undefined ? { note: opts.note } : {}),
  });
}

/**
 * Adds SPNs to the extended-protection SPN list of `location`. The structured action is an
 * 'iis-set' of property 'extendedProtection.spn' whose value is the full new list, comma-separated.
 */
export function appcmdExtendedProtectionSpns(server: string, location: string, current: readonly string[], add: readonly string[], opts: { note?: string } = {}): Fix {
  const fresh = add.filter((s) => !has(current, s));
  const action: FixAction = {
    type: 'iis-set',
    server,
    location,
    section: WINDOWS_AUTH_SECTION,
    property: 'extendedProtection.spn',
    value: [...current, ...fresh].join(','),
    previous: current.join(','),
  };
  return collectionFix({
    server,
    location,
    collection: 'extendedProtection',
    keyAttribute: 'name',
    edits: fresh.map((value) => ({ op: 'add', value })),
    action,
    ...(opts.note !== undefined ? { note: opts.note } : {}),
  });
}
