import { Option, type Command } from 'commander';
import type { LdapFlags } from '../config/ldap.js';

/** The collect connection flags, shared by collect, audit, explain and plan (a public contract). */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'LDAP server: ldap://host[:port] or ldaps://host[:port] (a GC on 3268/3269 with --gc)')
    .option('--bind-dn <dn|upn>', 'bind identity: a DN, user@REALM or DOMAIN\\user')
    .option('--password-env <VAR>', 'read the bind password from this environment variable')
    .option('--password-file <file>', 'read the bind password from this file (first line)')
    .option('--base-dn <dn>', 'search base (default: the domain naming context)')
    .option('--gc', 'the URL is a Global Catalog: index SPNs forest-wide, read other attributes from each domain\'s DC')
    .option('--ca-file <file>', 'PEM file with the CA(s) that issued the DC certificate')
    .option('--starttls', 'upgrade ldap:// with StartTLS')
    .option('--tls-insecure', 'do NOT verify the server certificate (prints a warning on every run)')
    .option('--tls-server-name <name>', 'name to verify the certificate against when --url holds an IP or alias')
    .option('--page-size <n>', 'LDAP page size, 1..1000 (default 1000)')
    .option('--timeout <seconds>', 'connect and per-request timeout, also the server-side time limit (default 60)')
    .option('--parallel <n>', 'connections to a DC for the SPN-holder search, 1..8, each reading its own uSNCreated ranges (default 2)')
    .addOption(new Option('--queries <dir>', 'folder with the LDAP query files (default: the bundled queries/)'))
    .option('--config <file>', 'YAML/JSON config file (ldap, iis, inventory sections); flags override it');
}

export interface ConnectionCliOptions extends LdapFlags {
  queries?: string;
  config?: string;
}
