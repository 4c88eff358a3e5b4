import { aesKeysMissingRule } from '../../../../src/rules/accounts/aes-keys-missing.js';
import { account, computer, domain, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
// The fixtures' domain got its first 2008+ DC (Read-only Domain Controllers group) on 2010-01-01.
const old = { pwdLastSet: '2008-03-01T00:00:00.000Z', whenCreated: '2007-01-01T00:00:00.000Z' } as const;

ruleTester(aesKeysMissingRule).run({
  valid: [
    { name: 'password set after the first 2008+ DC', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_new', spns: ['HTTP/n.contoso.test'] })] }) } },
    {
      name: 'edge: unknown first-2008-DC date claims nothing',
      input: {
        snapshot: snapshot({
          domains: [domain({ rodcGroupCreated: null })],
          accounts: [account({ sam: 'svc_old', spns: ['HTTP/o.contoso.test'], ...old })],
        }),
      },
    },
    {
      name: 'edge: must-change password on an account created after the first 2008+ DC',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_mc', spns: ['HTTP/m.contoso.test'], pwdLastSet: null, mustChangePassword: true, whenCreated: '2015-01-01T00:00:00.000Z' })],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'old password with RC4 still allowed: warning, reset the password',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_old', spns: ['HTTP/o.contoso.test'], enctypes: 0x1c, ...old })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_old'),
          message: "its password was last set 2008-03-01T00:00:00.000Z, before the domain's first Windows Server 2008+ DC (2010-01-01T00:00:00.000Z)",
          evidence: { firstAesCapableDc: '2010-01-01T00:00:00.000Z' },
          fixes: ["Set-ADAccountPassword -Identity 'svc_old' -Reset -Server 'contoso.test'"],
        },
      ],
    },
    {
      name: 'explicitly AES-only with no AES keys fails today: error; the pool gets the new password',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_old', spns: ['HTTP/o.contoso.test'], enctypes: 24, ...old })] }),
        inventory: inventory({ servers: [server({ name: 'WEB01', pools: [pool('OldPool', 'CONTOSO\\svc_old')] })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_old'),
          message: 'the KDC cannot issue tickets for it now',
          fixes: [
            "Set-ADAccountPassword -Identity 'svc_old' -Reset -Server 'contoso.test'",
            'Store the new password in application pool "OldPool" on WEB01 (IIS Manager > Application Pools > Advanced Settings > Identity), then recycle the pool.',
          ],
        },
      ],
    },
    {
      name: 'edge: pwdLastSet = 0 falls back to whenCreated; a computer renews its machine password on the machine',
      input: {
        snapshot: snapshot({ accounts: [computer('NT4BOX', { enctypes: null, pwdLastSet: null, mustChangePassword: true, whenCreated: '2005-01-01T00:00:00.000Z' })] }),
      },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('NT4BOX$'),
          message: 'its password was never changed since it was created 2005-01-01T00:00:00.000Z',
          fixes: ['On the computer CONTOSO\\NT4BOX$, renew the machine password: Reset-ComputerMachinePassword (or Test-ComputerSecureChannel -Repair).'],
          fixKinds: ['manual'],
        },
      ],
    },
  ],
});
