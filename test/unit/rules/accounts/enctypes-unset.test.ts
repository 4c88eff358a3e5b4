import { enctypesUnsetRule } from '../../../../src/rules/accounts/enctypes-unset.js';
import { account, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });

ruleTester(enctypesUnsetRule).run({
  valid: [
    { name: 'explicit AES', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'], enctypes: 24 })] }) } },
    {
      name: 'edge: pool identity without SPNs gets no service tickets, so the KDC default does not matter',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_apppool_nospn', enctypes: null })] }),
        inventory: inventory({ servers: [server({ name: 'WEB03', pools: [pool('LegacyPool', 'CONTOSO\\svc_apppool_nospn', 'WEB03')] })] }),
      },
    },
    {
      name: 'edge: USE_DES_KEY_ONLY overrides the attribute, so des-only reports it',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_des', spns: ['HTTP/desapp.contoso.test'], uac: 0x200200, enctypes: null })] }) },
    },
    {
      name: 'disabled SPN holder is left to account-unusable',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_disabled', uac: 0x202, spns: ['HTTP/old.contoso.test'], enctypes: null })] }) },
    },
  ],
  invalid: [
    {
      name: 'SPN user without msDS-SupportedEncryptionTypes: info, state AES explicitly',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_hr', spns: ['HTTP/hr.contoso.test'], enctypes: null })] }) },
      findings: [
        {
          severity: 'info',
          subject: subjectOf('svc_hr'),
          message: 'RC4 allowed until the AES-only default of KB5073381 is enforced',
          evidence: { aesKeysMissing: false },
          fixes: ["Set-ADUser -Identity 'svc_hr' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
        },
      ],
    },
    {
      name: 'edge: unset together with a pre-AES password is an error: new password first, then AES',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_legacy', spns: ['HTTP/legacy.contoso.test'], enctypes: null, pwdLastSet: '2009-06-01T00:00:00.000Z' })],
        }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_legacy'),
          message: 'its password predates AES keys (aes-keys-missing)',
          evidence: { aesKeysMissing: true },
          fixes: [
            "Set-ADAccountPassword -Identity 'svc_legacy' -Reset -Server 'contoso.test'",
            "Set-ADUser -Identity 'svc_legacy' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'",
          ],
          notes: ['after the new password is set'],
        },
      ],
    },
    {
      name: 'edge: a gMSA SPN holder uses Set-ADServiceAccount',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'gmsa_apps', kind: 'gmsa', spns: ['HTTP/apps.contoso.test'], enctypes: null })] }) },
      findings: [
        {
          severity: 'info',
          subject: subjectOf('gmsa_apps$'),
          fixes: ["Set-ADServiceAccount -Identity 'gmsa_apps$' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
        },
      ],
    },
    {
      name: 'edge: 0, or only feature bits (FAST 0x10000), means the domain default too',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_fast', spns: ['HTTP/fast.contoso.test'], enctypes: 0x10000 })] }) },
      findings: [
        {
          severity: 'info',
          subject: subjectOf('svc_fast'),
          message: 'sets no encryption type in msDS-SupportedEncryptionTypes (65536)',
          evidence: { supportedEncryptionTypes: 0x10000 },
          fixes: ["Set-ADUser -Identity 'svc_fast' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
        },
      ],
    },
  ],
});
