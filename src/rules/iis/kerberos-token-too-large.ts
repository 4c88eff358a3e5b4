import { negotiates } from '../../analyze/endpoints.js';
import { manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleMeta } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import type { IisServer } from '../../model/iis.js';
import { iisFinding } from './finding.js';
import { httpSites } from './applications.js';

/** HTTP.sys default for both values when the registry has none (KB820129, Http.sys registry settings). */
export const HTTP_SYS_DEFAULT_LIMIT = 16384;

/** Default MaxTokenSize on Windows 8 / Server 2012 and later (KB327825): the largest token Windows builds. */
export const DEFAULT_MAX_TOKEN_SIZE = 48000;

/**
 * Header bytes a token of `tokenBytes` needs: KB2020943 sizes both MaxFieldLength and
 * MaxRequestBytes as (4/3 × T) + 200 (base64 grows the token by a third, plus the header line).
 */
export function requiredHeaderBytes(tokenBytes: number): number {
  return Math.ceil((tokenBytes * 4) / 3) + 200;
}

/** 64200 bytes: what a MaxTokenSize-sized Kerberos token needs. */
export const REQUIRED_LIMIT = requiredHeaderBytes(DEFAULT_MAX_TOKEN_SIZE);

/** The largest token (bytes) that fits a header limit, inverting the KB2020943 formula. */
export function largestTokenFor(limit: number): number {
  return Math.max(0, Math.floor(((limit - 200) * 3) / 4));
}

const PARAMETERS_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters';

function servesNegotiate(server: IisServer): boolean {
  return httpSites(server).some((s) => s.applications.some((a) => negotiates(a.auth.windows)));
}

const meta: RuleMeta = {
  id: 'kerberos-token-too-large',
  severity: 'info',
  category: 'iis',
  title: 'HTTP.sys header limits below what large Kerberos tokens need',
  why:
    'The Kerberos ticket travels base64-encoded in the Authorization header and grows with the user\'s group memberships. When it exceeds ' +
    'HTTP.sys MaxFieldLength or MaxRequestBytes the user gets HTTP 400 "Request header too long" (KB2020943). Windows builds tokens up to ' +
    'MaxTokenSize = 48000 bytes by default (KB327825), which need (4/3 × 48000) + 200 = 64200 bytes.',
  docs: 'docs/rules/kerberos-token-too-large.md',
  needsInventory: true,
};

export const kerberosTokenTooLarge: Rule = {
  ...meta,
  check(ctx) {
    const findings: Finding[] = [];
    for (const server of ctx.inventory?.servers ?? []) {
      const registry = server.registry;
      // Registry facts that say nothing about HTTP.sys are no evidence either way.
      if (!registry || (registry.maxFieldLength === undefined && registry.maxRequestBytes === undefined)) continue;
      if (!servesNegotiate(server)) continue;
      const field = registry.maxFieldLength ?? HTTP_SYS_DEFAULT_LIMIT;
      const request = registry.maxRequestBytes ?? HTTP_SYS_DEFAULT_LIMIT;
      // HTTP.sys lowers MaxFieldLength to MaxRequestBytes when the latter is smaller (KB820129).
      const effective = Math.min(field, request);
      if (effective >= REQUIRED_LIMIT) continue;

      const low: Array<{ name: 'MaxFieldLength' | 'MaxRequestBytes'; value: number; fromDefault: boolean }> = [];
      if (field < REQUIRED_LIMIT) low.push({ name: 'MaxFieldLength', value: field, fromDefault: registry.maxFieldLength === undefined });
      if (request < REQUIRED_LIMIT) low.push({ name: 'MaxRequestBytes', value: request, fromDefault: registry.maxRequestBytes === undefined });
      const describe = low.map((l) => `${l.name} ${l.value}${l.fromDefault ? ' (not set: HTTP.sys default)' : ''}`).join(', ');
      const commands = low.map((l) => `reg add ${PARAMETERS_KEY} /v ${l.name} /t REG_DWORD /d ${REQUIRED_LIMIT} /f`).join(' && ');
      const firstWindowsSection = httpSites(server)
        .flatMap((s) => s.applications)
        .find((a) => negotiates(a.auth.windows))?.auth.windows.pos;

      findings.push(
        iisFinding(meta, {
          server: server.name,
          message:
            `${server.name}: ${describe}. HTTP.sys rejects Authorization headers longer than ${effective} bytes, i.e. Kerberos tokens over about ` +
            `${largestTokenFor(effective)} bytes: users in many groups get HTTP 400 "Request header too long". ` +
            `Tokens up to the default MaxTokenSize (${DEFAULT_MAX_TOKEN_SIZE} bytes) need ${REQUIRED_LIMIT}.`,
          evidence: {
            maxFieldLength: registry.maxFieldLength ?? null,
            maxRequestBytes: registry.maxRequestBytes ?? null,
            effectiveLimit: effective,
            largestToken: largestTokenFor(effective),
            required: REQUIRED_LIMIT,
          },
          fixes: [
            manualFix(
              `On ${server.name}, run: ${commands} ; then restart HTTP.sys and IIS (KB820129: net stop http, net start http, and start again the IIS services that stopped with it).`,
              `KB2020943: (4/3 × T) + 200 with T = ${DEFAULT_MAX_TOKEN_SIZE}, the default MaxTokenSize; larger limits let HTTP.sys use more memory, so do not go beyond what tokens need`,
            ),
          ],
          location: firstWindowsSection ?? null,
        }),
      );
    }
    return findings;
  },
};
