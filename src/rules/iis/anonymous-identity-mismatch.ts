import { appLocation } from '../../analyze/endpoints.js';
import { appcmdSet } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { AppPool } from '../../model/iis.js';
import { describeApp, iisFinding, overridableIn } from './finding.js';
import { appPoolOf, groupsFor, poolOf, posKey, topmost } from './applications.js';
import { ANONYMOUS_AUTH_SECTION } from './anonymous-with-windows-auth.js';

interface NameParts {
  domain: string | null;
  account: string;
}

function splitName(name: string): NameParts {
  const n = name.trim().toLowerCase();
  const slash = n.indexOf('\\');
  if (slash >= 0) return { domain: n.slice(0, slash), account: n.slice(slash + 1) };
  const at = n.lastIndexOf('@');
  if (at > 0) return { domain: n.slice(at + 1), account: n.slice(0, at) };
  return { domain: null, account: n };
}

/** CONTOSO and contoso.test name the same domain when one is the other's first label. */
function sameDomain(a: string | null, b: string | null): boolean {
  if (a === null || b === null || a === b) return true;
  return a.split('.')[0] === b || b.split('.')[0] === a;
}

/** Is the anonymous user the pool's own identity, written another way (DOMAIN\user vs user@domain)? */
export function isPoolIdentity(anonymousUser: string, pool: AppPool): boolean {
  if (pool.userName === null) return false;
  const a = splitName(anonymousUser);
  const p = splitName(pool.userName);
  return a.account === p.account && sameDomain(a.domain, p.domain);
}

function mismatched(anonymousEnabled: boolean, anonymousUser: string, pool: AppPool | null): pool is AppPool {
  return (
    anonymousEnabled &&
    anonymousUser.trim() !== '' &&
    pool !== null &&
    pool.identityType === 'SpecificUser' &&
    !isPoolIdentity(anonymousUser, pool)
  );
}

const meta: RuleMeta = {
  id: 'anonymous-identity-mismatch',
  severity: 'warning',
  category: 'iis',
  title: 'Anonymous user differs from the custom application pool identity',
  why:
    'Anonymous authentication runs requests as its userName (IUSR by default), not as the application pool identity. When the pool ' +
    'runs as a custom account and the content ACLs grant that account but not the anonymous user, anonymous requests fail with ' +
    '401.3 "Unauthorized due to ACL on resource". userName="" makes anonymous requests use the pool identity.',
  docs: 'docs/rules/anonymous-identity-mismatch.md',
  needsInventory: true,
};

export const anonymousIdentityMismatch: Rule = {
  ...meta,
  check(ctx) {
    const groups = groupsFor(ctx, {
      flagged: (server, _site, app) => mismatched(app.auth.anonymous.enabled, app.auth.anonymous.userName, poolOf(server, app)),
      key: (_server, _site, app) => `${posKey(app.auth.anonymous.pos)}|${app.appPool.toLowerCase()}|${app.auth.anonymous.userName.toLowerCase()}`,
    });
    return groups.map((g) => {
      const anonymous = g.representative.auth.anonymous;
      const poolUser = g.pool?.userName ?? '';
      const paths = g.applications.map((a) => a.path);
      return iisFinding(meta, {
        server: g.server.name,
        site: g.site.name,
        path: g.representative.path,
        ...appPoolOf(g),
        message:
          `${describeApp(g.server.name, g.site.name, paths)}: anonymous requests run as "${anonymous.userName}" while pool "${g.pool?.name ?? ''}" ` +
          `runs as ${poolUser}. Where the content ACLs grant the pool identity but not "${anonymous.userName}", anonymous requests get 401.3.`,
        evidence: { applications: paths, anonymousUserName: anonymous.userName, poolIdentity: poolUser },
        fixes: topmost(g.applications).map((app) =>
          appcmdSet(g.server.name, appLocation(g.site, app), ANONYMOUS_AUTH_SECTION, 'userName', '', anonymous.userName, {
            note: `run on ${g.server.name}: anonymous requests then use the pool identity (or grant "${anonymous.userName}" read access to the content instead)`,
          }),
        ),
        overridable: overridableIn(g.applications, ['anonymous']),
        location: anonymous.pos ?? g.representative.pos ?? g.site.pos,
      });
    });
  },
};
