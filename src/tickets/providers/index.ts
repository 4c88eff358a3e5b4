/** Settings + secret → a provider on a configured HTTP client. */
import { UsageError } from '../../errors.js';
import type { Severity } from '../../model/finding.js';
import type { HttpClient } from '../http.js';
import type { TicketSettings } from '../settings.js';
import type { TicketProvider } from '../types.js';
import { GithubProvider } from './github.js';
import { JIRA_DEFAULTS, JiraProvider, type JiraDeployment } from './jira.js';
import { REDMINE_DEFAULTS, RedmineProvider, type RedmineMarkup } from './redmine.js';
import { SERVICENOW_DEFAULTS, ServicenowProvider } from './servicenow.js';
import { WEBHOOK_DEFAULTS, WebhookProvider } from './webhook.js';

export { GithubProvider } from './github.js';
export { JiraProvider } from './jira.js';
export { RedmineProvider } from './redmine.js';
export { ServicenowProvider } from './servicenow.js';
export { WebhookProvider } from './webhook.js';

function severityMap(value: unknown, fallback: Record<Severity, string>): Record<Severity, string> {
  const given = (value ?? {}) as Partial<Record<Severity, string | number>>;
  return {
    error: String(given.error ?? fallback.error),
    warning: String(given.warning ?? fallback.warning),
    info: String(given.info ?? fallback.info),
  };
}

/** Secrets resolved by the caller (env/file/prompt): `token` is the API token/password/key; `routingKey` the webhook's. */
export function createProvider(settings: TicketSettings, secrets: { token: string | null; routingKey?: string | null }, http: HttpClient): TicketProvider {
  const o = settings.options;
  const need = (): string => {
    if (secrets.token === null) throw new UsageError(`${settings.provider} needs a credential: --token-env VAR or --token-file FILE`);
    return secrets.token;
  };
  const auth = () =>
    settings.auth === 'basic' ? { scheme: 'basic' as const, user: settings.user ?? '', secret: need() } : { scheme: 'bearer' as const, secret: need() };
  const project = settings.project ?? '';
  switch (settings.provider) {
    case 'redmine':
      return new RedmineProvider(http, {
        url: settings.url,
        project,
        apiKey: need(),
        fingerprintField: String(o.fingerprintField),
        ...(o.tracker !== undefined ? { tracker: String(o.tracker) } : {}),
        closedStatus: String(o.closedStatus ?? REDMINE_DEFAULTS.closedStatus),
        reopenStatus: String(o.reopenStatus ?? REDMINE_DEFAULTS.reopenStatus),
        priorities: severityMap(o.priorities, REDMINE_DEFAULTS.priorities),
        markup: (o.markup as RedmineMarkup | undefined) ?? REDMINE_DEFAULTS.markup,
      });
    case 'jira':
      return new JiraProvider(http, {
        url: settings.url,
        project,
        deployment: (o.deployment as JiraDeployment | undefined) ?? jiraDeploymentFor(settings.url),
        auth: auth(),
        issueType: String(o.issueType ?? JIRA_DEFAULTS.issueType),
        closeTransition: String(o.closeTransition ?? JIRA_DEFAULTS.closeTransition),
        reopenTransition: String(o.reopenTransition ?? JIRA_DEFAULTS.reopenTransition),
        priorities: o.priorities === null ? {} : severityMap(o.priorities, JIRA_DEFAULTS.priorities as Record<Severity, string>),
        labels: (o.labels as string[] | undefined) ?? [],
      });
    case 'github':
      return new GithubProvider(http, { url: settings.url, repo: project, token: need(), labels: (o.labels as string[] | undefined) ?? [] });
    case 'servicenow':
      return new ServicenowProvider(http, {
        url: settings.url,
        auth: auth(),
        table: String(o.table ?? SERVICENOW_DEFAULTS.table),
        closeState: String(o.closeState ?? SERVICENOW_DEFAULTS.closeState),
        closeCode: String(o.closeCode ?? SERVICENOW_DEFAULTS.closeCode),
        reopenState: String(o.reopenState ?? SERVICENOW_DEFAULTS.reopenState),
        impact: severityMap(o.impact, SERVICENOW_DEFAULTS.impact),
        urgency: severityMap(o.urgency, SERVICENOW_DEFAULTS.urgency),
        fields: (o.fields as Record<string, string> | undefined) ?? {},
      });
    case 'webhook':
      return new WebhookProvider(http, {
        url: settings.url,
        secret: secrets.token,
        routingKey: secrets.routingKey ?? null,
        signatureHeader: String(o.signatureHeader ?? WEBHOOK_DEFAULTS.signatureHeader),
        source: String(o.source ?? WEBHOOK_DEFAULTS.source),
      });
  }
}

/** Without tickets.deployment: Atlassian's cloud hosts are Cloud, anything else is Server/Data Center. */
export function jiraDeploymentFor(url: string): JiraDeployment {
  return /\.(atlassian\.net|jira\.com)$/i.test(new URL(url).hostname) ? 'cloud' : 'server';
}

/** GitHub asks for a second between content-creating requests; others get no pacing. */
export function minWriteIntervalMs(settings: Pick<TicketSettings, 'provider'>): number {
  return settings.provider === 'github' ? 1000 : 0;
}
