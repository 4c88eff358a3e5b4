import { rc4OnlyRule } from '../../../../src/rules/accounts/rc4-only.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const one = (a: ReturnType<typeof account>) => ({ snapshot: snapshot({ accounts: [a] }) });

ruleTester(rc4OnlyRule).run({
  valid: [
    { name: 'AES only', input: one(account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'], enctypes: 24 })) },
    { name: 'RC4 next to AES (0x1c)', input: one(account({ sam: 'svc_both', spns: ['HTTP/b.contoso.test'], enctypes: 0x1c })) },
    { name: 'unset: that is enctypes-unset, not an explicit RC4-only setting', input: one(account({ sam: 'svc_unset', spns: ['HTTP/u.contoso.test'], enctypes: null })) },
    {
      name: 'edge: USE_DES_KEY_ONLY wins over the attribute, so des-only reports it',
      input: one(account({ sam: 'svc_des', spns: ['HTTP/d.contoso.test'], uac: UAC.NORMAL_ACCOUNT | UAC.USE_DES_KEY_ONLY, enctypes: 4 })),
    },
  ],
  invalid: [
    {
      name: 'svc_rc4 with msDS-SupportedEncryptionTypes=4',
      input: one(account({ sam: 'svc_rc4', spns: ['HTTP/rc4app.contoso.test'], enctypes: 4 })),
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_rc4'),
          message: 'has msDS-SupportedEncryptionTypes 4 (RC4-HMAC)',
          evidence: { supportedEncryptionTypes: 4, enctypes: ['RC4-HMAC'] },
          fixes: ["Set-ADUser -Identity 'svc_rc4' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
        },
      ],
    },
    {
      name: 'edge: RC4+DES (0x7) pool identity without SPNs is still RC4-only',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_pool', enctypes: 0x7 })] }),
        inventory: inventory({ servers: [server({ name: 'WEB01', pools: [pool('AppPool', 'CONTOSO\\svc_pool')] })] }),
      },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_pool'),
          message: '(pool identity of WEB01/AppPool)',
          evidence: { enctypes: ['DES-CBC-CRC', 'DES-CBC-MD5', 'RC4-HMAC'], pools: ['WEB01/AppPool'] },
          fixes: ["Set-ADUser -Identity 'svc_pool' -KerberosEncryptionType AES128,AES256 -Server 'contoso.test'"],
        },
      ],
    },
  ],
});
