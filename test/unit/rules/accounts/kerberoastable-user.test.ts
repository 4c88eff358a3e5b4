import { kerberoastableUserRule } from '../../../../src/rules/accounts/kerberoastable-user.js';
import { account, computer, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
// now = the snapshot's collectedAt, 2026-06-01; threshold 365 days.
const fresh = { pwdLastSet: '2026-03-01T00:00:00.000Z' } as const;
const gmsaStep = (sam: string, allowed: string, pools = '') =>
  `Create a gMSA for the service: New-ADServiceAccount -Name <gmsa> -DNSHostName <gmsa>.contoso.test -KerberosEncryptionType AES128,AES256 -PrincipalsAllowedToRetrieveManagedPassword ${allowed}; ` +
  `move each SPN of CONTOSO\\${sam} to it (the setspn -D commands below, then setspn -C -S <spn> CONTOSO\\<gmsa>$), and run the service${pools} as CONTOSO\\<gmsa>$.`;

ruleTester(kerberoastableUserRule).run({
  valid: [
    {
      name: 'computers and gMSAs with SPNs have random passwords',
      input: {
        snapshot: snapshot({ accounts: [computer('WEB01', { enctypes: null }), account({ sam: 'gmsa_apps', kind: 'gmsa', spns: ['HTTP/apps.contoso.test'] })] }),
      },
    },
    { name: 'user without SPNs', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_apppool_nospn', enctypes: null })] }) } },
    {
      name: 'edge: disabled SPN user cannot be roasted usefully (left to account-unusable)',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_disabled', uac: 0x202, spns: ['HTTP/old.contoso.test'] })] }) },
    },
  ],
  invalid: [
    {
      name: 'AES-only user with a recent password: warning, prefer a gMSA',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'], enctypes: 24, ...fresh })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_aes'),
          message: 'user CONTOSO\\svc_aes holds 1 SPN, so any domain user can request a ticket for it and try to crack its password offline.',
          evidence: { aggravations: [], rc4: null, passwordAgeDays: 92 },
          fixes: [
            gmsaStep('svc_aes', '<the servers that run the service>'),
            'setspn -U -D HTTP/aesapp.contoso.test CONTOSO\\svc_aes',
            "Set-ADAccountPassword -Identity 'svc_aes' -Reset -Server 'contoso.test'",
          ],
          fixKinds: ['manual', 'setspn', 'powershell'],
        },
      ],
    },
    {
      name: 'privileged pool identity with implicit RC4 and an old password: error; the gMSA command names the servers',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_admin', spns: ['HTTP/admin.contoso.test'], enctypes: null, privileged: true, adminCount: 1, pwdLastSet: '2024-01-01T00:00:00.000Z' })],
        }),
        inventory: inventory({ servers: [server({ name: 'WEB03', pools: [pool('AdminPool', 'CONTOSO\\svc_admin', 'WEB03')] })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_admin'),
          message: /RC4 is allowed implicitly .* its password is 882 days old \(threshold 365\) and it is a member of a privileged group/,
          evidence: { aggravations: ['rc4', 'old-password', 'privileged'], rc4: 'implicit' },
          fixes: [
            gmsaStep('svc_admin', 'WEB03$', ' (pools WEB03/AdminPool)'),
            'setspn -U -D HTTP/admin.contoso.test CONTOSO\\svc_admin',
            "Set-ADUser -Identity 'svc_admin' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'",
            "Set-ADAccountPassword -Identity 'svc_admin' -Reset -Server 'contoso.test'",
            'Remove CONTOSO\\svc_admin from privileged groups: a service account needs only the rights of its service.',
          ],
        },
      ],
    },
    {
      name: 'edge: explicit RC4 alone raises to error; adminCount=1 without current membership also counts as privileged',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_rc4', spns: ['HTTP/rc4app.contoso.test'], enctypes: 4, adminCount: 1, ...fresh })] }),
        options: { passwordAgeDays: 30 },
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_rc4'),
          message: 'it is marked adminCount=1',
          evidence: { aggravations: ['rc4', 'old-password', 'privileged'], rc4: 'explicit', passwordAgeThresholdDays: 30 },
          fixes: [
            gmsaStep('svc_rc4', '<the servers that run the service>'),
            'setspn -U -D HTTP/rc4app.contoso.test CONTOSO\\svc_rc4',
            "Set-ADUser -Identity 'svc_rc4' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'",
            "Set-ADAccountPassword -Identity 'svc_rc4' -Reset -Server 'contoso.test'",
            'Remove CONTOSO\\svc_rc4 from privileged groups: a service account needs only the rights of its service.',
          ],
        },
      ],
    },
    {
      name: 'edge: an account with many SPNs (svc_big) lists 20 setspn -D lines and one manual step for the rest',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_big', spns: Array.from({ length: 23 }, (_, i) => `HTTP/big-${String(i + 1).padStart(4, '0')}.contoso.test`), ...fresh })],
        }),
      },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_big'),
          message: 'holds 23 SPNs',
          fixes: [
            gmsaStep('svc_big', '<the servers that run the service>'),
            ...Array.from({ length: 20 }, (_, i) => `setspn -U -D HTTP/big-${String(i + 1).padStart(4, '0')}.contoso.test CONTOSO\\svc_big`),
            'Remove the other 3 SPNs of CONTOSO\\svc_big the same way (setspn -L lists them).',
            "Set-ADAccountPassword -Identity 'svc_big' -Reset -Server 'contoso.test'",
          ],
        },
      ],
    },
  ],
});
