/** Collect a snapshot from a live directory with resolved settings: the one entry point the CLI uses. */
import type { Snapshot } from '../model/directory.js';
import type { LdapSettings } from '../config/ldap.js';
import { resolveSecret } from '../config/secrets.js';
import { collect } from './collector.js';
import { openSession, parseLdapUrl, type ConnectionSettings } from './connection.js';
import { loadQueries } from './queries.js';

export interface LiveOptions {
  identities?: readonly string[];
  queriesDir?: string | undefined;
  stderr?: NodeJS.WritableStream;
}

export async function collectLive(settings: LdapSettings, opts: LiveOptions = {}): Promise<Snapshot> {
  const stderr = opts.stderr ?? process.stderr;
  const queries = await loadQueries(opts.queriesDir);
  if (settings.tlsInsecure) {
    stderr.write('spnaudit: WARNING: TLS certificate verification is OFF (--tls-insecure); the directory server is not authenticated\n');
  }
  const password = await resolveSecret({
    env: settings.passwordEnv,
    file: settings.passwordFile,
    label: 'LDAP password',
    flags: { env: '--password-env', file: '--password-file' },
  });
  const { secure, port } = parseLdapUrl(settings.url);
  const connection = (url: string): ConnectionSettings => ({
    url,
    bindDn: settings.bindDn,
    password,
    caFile: settings.caFile,
    starttls: settings.starttls && !url.startsWith('ldaps:'),
    tlsInsecure: settings.tlsInsecure,
    tlsServerName: url === settings.url ? settings.tlsServerName : undefined,
    timeoutSec: settings.timeoutSec,
    pageSize: settings.pageSize,
  });
  const session = await openSession(connection(settings.url));
  // Progress only for a person watching a terminal; logs and pipes get the summary line alone.
  const tty = (stderr as NodeJS.WriteStream).isTTY === true;
  const onProgress = tty ? (n: number) => stderr.write(`\rspnaudit: collecting... ${n} accounts`) : undefined;
  try {
    return await collect({
      onProgress,
      session,
      queries,
      baseDn: settings.baseDn,
      identities: opts.identities ?? [],
      parallel: settings.parallel,
      openPeer: (url) => openSession(connection(url)),
      onNotice: (message) => stderr.write(`${tty ? '\r\u001b[K' : ''}spnaudit: ${message}\n`),
      source: {
        url: settings.url,
        baseDn: settings.baseDn ?? '',
        bindIdentity: settings.bindDn,
        globalCatalog: settings.gc,
        tls: secure ? 'ldaps' : settings.starttls ? 'starttls' : 'none',
      },
      domainSession: async (domain) => {
        // The GC ports (3268/3269) map to the DC ports (389/636) of each domain.
        const fallback = `${secure || port === 3269 ? 'ldaps' : 'ldap'}://${domain.dnsName}`;
        return openSession(connection(settings.domainControllers[domain.dnsName] ?? fallback));
      },
    });
  } finally {
    if (tty) stderr.write('\r\u001b[K');
    await session.close();
  }
}
