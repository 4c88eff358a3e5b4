import type { AppPool, IdentityType } from '../model/iis.js';

const IDENTITY_TYPES: readonly IdentityType[] = [
  'ApplicationPoolIdentity',
  'NetworkService',
  'LocalSystem',
  'LocalService',
  'SpecificUser',
];

/** IIS reads enum values case-insensitively; returns the canonical spelling or null if unknown. */
export function parseIdentityType(value: string): IdentityType | null {
  const lower = value.trim().toLowerCase();
  return IDENTITY_TYPES.find((type) => type.toLowerCase() === lower) ?? null;
}

/** Authorities that are this machine whatever the server is called. */
const LOCAL_AUTHORITIES = new Set(['.', 'localhost', 'nt authority', 'builtin']);

export interface ParsedIdentity {
  identity: NonNullable<AppPool['identity']>;
  /** Set when the form is ambiguous, so the caller can warn. */
  note: string | null;
}

/**
 * Classify a SpecificUser userName. `.\user`, `MACHINE\user` (MACHINE = this server's NetBIOS name) are
 * local accounts and get the machine name as their domain; `DOMAIN\user` and `user@domain.tld` are
 * domain accounts; an account name ending in `$` is a (group) managed service account.
 */
export function parseIdentity(userName: string, machineName: string): ParsedIdentity | null {
  const written = userName.trim();
  if (written === '') return null;
  const slash = written.indexOf('\\');
  if (slash >= 0) {
    const authority = written.slice(0, slash);
    const account = written.slice(slash + 1);
    const lower = authority.toLowerCase();
    if (LOCAL_AUTHORITIES.has(lower) || lower === machineName.toLowerCase()) {
      const domain = lower === '.' || lower === 'localhost' ? machineName.toUpperCase() : authority;
      return { identity: { scope: 'local', domain, account }, note: null };
    }
    return { identity: { scope: account.endsWith('$') ? 'managed' : 'domain', domain: authority, account }, note: null };
  }
  const at = written.lastIndexOf('@');
  if (at > 0 && at < written.length - 1) {
    const account = written.slice(0, at);
    return { identity: { scope: account.endsWith('$') ? 'managed' : 'domain', domain: written.slice(at + 1), account }, note: null };
  }
  return {
    identity: { scope: written.endsWith('$') ? 'managed' : 'domain', domain: null, account: written },
    note: 'has no domain part: Windows tries a local account first, then the domain; modeled as a domain account',
  };
}
