/**
 * One finding shape for the IIS-configuration rules. The fingerprint is rule id + server + site +
 * application path (+ host): the parts that identify the configuration, never a time or a line
 * number (lines move when someone edits applicationHost.config).
 */
import { fingerprint } from '../../analyze/fingerprint.js';
import type { RuleMeta } from '../../analyze/types.js';
import type { Finding, Fix, Severity } from '../../model/finding.js';
import { AUTH_SECTIONS, type Application, type AuthSectionName } from '../../model/iis.js';
import type { SourcePos } from '../../model/source.js';

export interface IisFindingInput {
  server: string;
  /** Omitted for server-wide findings (registry facts). */
  site?: string;
  /** Application path the finding is keyed on ('/' for the site root). */
  path?: string;
  host?: string;
  appPool?: string;
  severity?: Severity;
  message: string;
  evidence: Record<string, unknown>;
  fixes: Fix[];
  location?: SourcePos | null;
  /**
   * Sections the finding relies on that a web.config may still change (overrideMode Allow).
   * spnaudit does not read web.config files, so the finding says so instead of claiming certainty.
   */
  overridable?: readonly AuthSectionName[];
}

/** Which of `sections` any application of the group leaves open to web.config overrides. */
export function overridableIn(applications: readonly Application[], sections: readonly AuthSectionName[]): AuthSectionName[] {
  return sections.filter((s) => applications.some((a) => a.auth.overridable?.includes(s) ?? false));
}

export function iisFinding(rule: RuleMeta, input: IisFindingInput): Finding {
  const open = (input.overridable ?? []).map((s) => AUTH_SECTIONS[s]);
  const caveat =
    open.length === 0 ? '' : ` A web.config may still override ${open.join(' and ')} here (overrideMode Allow); web.config files were not read.`;
  return {
    fingerprint: fingerprint(rule.id, [input.server, input.site ?? '', input.path ?? '', input.host ?? '']),
    ruleId: rule.id,
    severity: input.severity ?? rule.severity,
    title: rule.title,
    message: input.message + caveat,
    subject: {
      server: input.server,
      ...(input.site !== undefined ? { site: input.site } : {}),
      ...(input.host !== undefined ? { host: input.host } : {}),
      ...(input.appPool !== undefined ? { appPool: input.appPool } : {}),
    },
    evidence: open.length === 0 ? input.evidence : { ...input.evidence, webConfigMayOverride: open },
    fixes: input.fixes,
    ...(input.location ? { location: input.location } : {}),
  };
}

/** `WEB03 site "Portal" /app` for messages. */
export function describeApp(server: string, site: string, paths: readonly string[]): string {
  const where = paths.length === 1 && paths[0] === '/' ? '' : ` (${paths.join(', ')})`;
  return `${server} site "${site}"${where}`;
}
