/**
 * The one order of accounts: collect writes snapshots in it and rules see accounts in it. It is
 * display-name order, DOMAIN\sAMAccountName lower-cased and compared by UTF-16 code unit, then
 * objectGUID. A snapshot already in this order needs no sort before an audit (one pass checks it).
 */
import type { Account, Domain } from './directory.js';

/** NetBIOS name of a DNS domain, upper-cased; the upper-cased first label when the domain is unknown. */
export function netbiosOf(domains: readonly Domain[], dnsName: string): string {
  const d = domains.find((x) => x.dnsName.toLowerCase() === dnsName.toLowerCase());
  if (d?.netbiosName) return d.netbiosName.toUpperCase();
  return (dnsName.split('.')[0] ?? dnsName).toUpperCase();
}

/** The sort key: the display name, lower-cased. */
export function accountOrderKey(netbios: string, sam: string): string {
  return `${netbios}\\${sam}`.toLowerCase();
}

const BACKSLASH = 0x5c;

/**
 * Compares two accounts in account order given their NetBIOS names, without building either key
 * while both names are ASCII up to their first difference (nearly always).
 */
export function compareAccountOrder(netbiosA: string, a: Account, netbiosB: string, b: Account): number {
  const samA = a.sAMAccountName;
  const samB = b.sAMAccountName;
  const lengthA = netbiosA.length + 1 + samA.length;
  const lengthB = netbiosB.length + 1 + samB.length;
  const n = Math.min(lengthA, lengthB);
  for (let i = 0; i < n; i += 1) {
    let x = i < netbiosA.length ? netbiosA.charCodeAt(i) : i === netbiosA.length ? BACKSLASH : samA.charCodeAt(i - netbiosA.length - 1);
    let y = i < netbiosB.length ? netbiosB.charCodeAt(i) : i === netbiosB.length ? BACKSLASH : samB.charCodeAt(i - netbiosB.length - 1);
    // Non-ASCII up to the first difference: its lower case may be longer, ASCII (the Kelvin sign)
    // or depend on what follows (final sigma), so compare the keys exactly as they are.
    if (x >= 0x80 || y >= 0x80) return compareKeys(accountOrderKey(netbiosA, samA), accountOrderKey(netbiosB, samB), a, b);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (lengthA !== lengthB) return lengthA < lengthB ? -1 : 1;
  return compareGuids(a, b);
}

/** Compares precomputed keys, then objectGUID. */
export function compareKeys(keyA: string, keyB: string, a: Account, b: Account): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return compareGuids(a, b);
}

function compareGuids(a: Account, b: Account): number {
  return a.objectGuid < b.objectGuid ? -1 : a.objectGuid > b.objectGuid ? 1 : 0;
}

/** Per-domain NetBIOS names, looked up once per domain rather than once per account. */
export function netbiosLookup(domains: readonly Domain[]): (dnsName: string) => string {
  const memo = new Map<string, string>();
  return (dnsName) => {
    let name = memo.get(dnsName);
    if (name === undefined) {
      name = netbiosOf(domains, dnsName);
      memo.set(dnsName, name);
    }
    return name;
  };
}

/**
 * The accounts in account order: the same array when it already is (one pass, no allocation),
 * otherwise a sorted copy (each key computed once, not twice per comparison).
 */
export function inAccountOrder(accounts: Account[], domains: readonly Domain[]): Account[] {
  const netbios = netbiosLookup(domains);
  let ordered = true;
  for (let i = 1; i < accounts.length && ordered; i += 1) {
    const a = accounts[i - 1]!;
    const b = accounts[i]!;
    ordered = compareAccountOrder(netbios(a.domain), a, netbios(b.domain), b) <= 0;
  }
  if (ordered) return accounts;
  const keys = accounts.map((account) => accountOrderKey(netbios(account.domain), account.sAMAccountName));
  const order = accounts.map((_, i) => i);
  order.sort((x, y) => compareKeys(keys[x]!, keys[y]!, accounts[x]!, accounts[y]!));
  return order.map((i) => accounts[i]!);
}
