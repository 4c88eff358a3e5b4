import { desOnlyRule } from '../../../../src/rules/accounts/des-only.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, computer, guidFor, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const one = (a: ReturnType<typeof account>) => ({ snapshot: snapshot({ accounts: [a] }) });

ruleTester(desOnlyRule).run({
  valid: [
    { name: 'AES account', input: one(account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'], enctypes: 24 })) },
    { name: 'DES allowed next to AES is not DES-only', input: one(account({ sam: 'svc_mixed', spns: ['HTTP/m.contoso.test'], enctypes: 0x1b })) },
    { name: 'unset enctypes is not DES-only', input: one(account({ sam: 'svc_unset', spns: ['HTTP/u.contoso.test'], enctypes: null })) },
    {
      name: 'edge: a disabled DES-only account is left to account-unusable',
      input: one(account({ sam: 'svc_old', spns: ['HTTP/o.contoso.test'], uac: 0x200202 })),
    },
  ],
  invalid: [
    {
      name: 'USE_DES_KEY_ONLY (svc_des, UAC 0x200200): clear the flag, then set AES',
      input: one(account({ sam: 'svc_des', spns: ['HTTP/desapp.contoso.test'], uac: UAC.NORMAL_ACCOUNT | UAC.USE_DES_KEY_ONLY, enctypes: null })),
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_des'),
          message: 'only supports DES (userAccountControl has USE_DES_KEY_ONLY)',
          evidence: { useDesKeyOnly: true },
          fixes: [
            "Set-ADAccountControl -Identity 'svc_des' -UseDESKeyOnly $false -Server 'contoso.test'",
            "Set-ADUser -Identity 'svc_des' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'",
          ],
        },
      ],
    },
    {
      name: 'edge: DES-only msDS-SupportedEncryptionTypes on a computer (no UAC flag): AES fix only, with the policy note',
      input: one(computer('LEGACY01', { enctypes: 0x3 })),
      findings: [
        {
          severity: 'error',
          subject: subjectOf('LEGACY01$'),
          message: 'msDS-SupportedEncryptionTypes is 3 (DES-CBC-CRC, DES-CBC-MD5)',
          evidence: { useDesKeyOnly: false, enctypes: ['DES-CBC-CRC', 'DES-CBC-MD5'] },
          fixes: ["Set-ADComputer -Identity 'LEGACY01$' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
          notes: ['Configure encryption types allowed for Kerberos'],
        },
      ],
    },
  ],
});
