/**
 * One sync run from settings and an audit result: resolve the secrets, build the HTTP client and the
 * provider, sync, print. Shared by `spnaudit tickets sync` and tests; the caller chooses the exit code.
 */
import { readFile } from 'node:fs/promises';
import { resolveSecret } from '../config/secrets.js';
import { UsageError, oneLine } from '../errors.js';
import type { ReportAudit } from '../report/types.js';
import { formatSummary, syncTickets, type SyncReport } from './engine.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { createProvider, minWriteIntervalMs } from './providers/index.js';
import type { TicketSettings } from './settings.js';
import type { TicketProvider } from './types.js';

export interface TicketSyncIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Tests: fake timers for retries; wrap the provider (fault injection). */
  http?: Partial<HttpClientOptions>;
  wrapProvider?: (provider: TicketProvider) => TicketProvider;
}

export function targetOf(settings: TicketSettings): string {
  return `${settings.provider} ${settings.url.replace(/\/+$/, '')} ${settings.project ?? ''}`.trim();
}

export async function runTicketSync(audit: ReportAudit, settings: TicketSettings, io: TicketSyncIo): Promise<{ report: SyncReport; client: HttpClient }> {
  const tokenGiven = settings.tokenEnv !== undefined || settings.tokenFile !== undefined;
  const label = `${settings.provider} ${settings.provider === 'webhook' ? 'signing secret' : settings.auth === 'basic' ? 'password / API token' : 'token'}`;
  const token =
    settings.provider === 'webhook' && !tokenGiven
      ? null
      : await resolveSecret({ env: settings.tokenEnv, file: settings.tokenFile, label, flags: { env: '--token-env', file: '--token-file' } });
  const routingKeyEnv = settings.options.routingKeyEnv as string | undefined;
  const routingKey = routingKeyEnv !== undefined ? await resolveSecret({ env: routingKeyEnv, label: 'webhook routing key', flags: { env: 'tickets.routingKeyEnv', file: '-' } }) : null;
  let ca: string | undefined;
  if (settings.caFile) {
    try {
      ca = await readFile(settings.caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${settings.origin('caFile')} ${settings.caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${settings.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const client = new HttpClient({
    ...(ca !== undefined ? { ca } : {}),
    timeoutMs: settings.timeoutSeconds * 1000,
    minWriteIntervalMs: minWriteIntervalMs(settings),
    dryRun: settings.dryRun,
    print: (text) => io.stdout(`${text}\n`),
    secrets: [token, routingKey].filter((s): s is string => s !== null),
    onRetry: ({ request, attempt, waitMs, reason }) => io.stderr(`spnaudit: ${request.method} ${new URL(request.url).pathname}: ${reason}; retry ${attempt} in ${Math.ceil(waitMs / 1000)} s\n`),
    userAgent: 'spnaudit-tickets',
    ...io.http,
  });
  const base = createProvider(settings, { token, routingKey }, client);
  const provider = io.wrapProvider ? io.wrapProvider(base) : base;
  const report = await syncTickets(audit, provider, {
    groupBy: settings.groupBy,
    maxNew: settings.maxNew,
    reopen: settings.reopen,
    run: settings.runLabel ?? audit.generatedAt,
    stateFile: settings.stateFile,
    target: targetOf(settings),
    log: (line) => io.stderr(`spnaudit: ${client.redact(oneLine(line))}\n`),
  });
  for (const line of formatSummary(report, settings.dryRun)) io.stdout(`${client.redact(line)}\n`);
  if (report.counts.deferred > 0) {
    io.stderr(`spnaudit: warning: ${report.counts.deferred} new ticket(s) not created: --max-new ${settings.maxNew} reached; the next run continues, or raise --max-new\n`);
  }
  return { report, client };
}
