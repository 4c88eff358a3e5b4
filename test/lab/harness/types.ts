/** What a running lab looks like to tests, the CLI and benchmarks. */

export interface LabInfo {
  /** Plain LDAP (simple bind allowed: `ldap server require strong auth = no`); StartTLS works here too. */
  ldapUrl: string;
  /** LDAPS; the certificate is signed by caFile and names dc1.contoso.test, localhost and 127.0.0.1. */
  ldapsUrl: string;
  /** Global catalog (3268); gcsUrl is its TLS twin (3269). */
  gcUrl: string;
  gcsUrl: string;
  /** Same certificate and CA, but ::1 is deliberately not in the certificate: a ready-made name mismatch. */
  ldapsNameMismatchUrl: string;
  baseDn: string;
  /** Kerberos realm (upper case). */
  realm: string;
  /** DNS name of the domain. */
  dnsDomain: string;
  netbios: string;
  /** Administrator's UPN, e.g. Administrator@CONTOSO.TEST. */
  bindDn: string;
  /** Random per run; also in passwordFile (mode 0600, no trailing newline: usable with ldapsearch -y). */
  password: string;
  passwordFile: string;
  /** PEM of the lab CA that signed the LDAPS certificate. */
  caFile: string;
  /** A name in the LDAPS certificate, for TLS `servername` when connecting by IP is not wanted. */
  tlsServerName: string;
  /** Private lab directory (provisioned domain, config, logs). Removed on teardown unless kept. */
  targetDir: string;
  smbConf: string;
  /** DIR/private/sam.ldb (offline access through the full DSDB stack, only while stopped). */
  samPath: string;
  /** Private krb5.conf (kdc = 127.0.0.1, no DNS): set KRB5_CONFIG to it for kinit/kvno. */
  krb5Config: string;
  /** PID of the samba master process; also its process group (started in its own session). */
  pid: number;
  /** Extra accounts added by seedBulk (in OU=Bulk). */
  bulkAccounts: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo | null;
  }
}
