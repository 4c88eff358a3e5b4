import { passwordChangeRequiredRule } from '../../../../src/rules/accounts/password-change-required.js';
import { account, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const mustChange = { pwdLastSet: null, mustChangePassword: true } as const;

ruleTester(passwordChangeRequiredRule).run({
  valid: [
    {
      name: 'pool identity with a normal password',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_app' })] }),
        inventory: inventory({ servers: [server({ name: 'WEB01', pools: [pool('AppPool', 'CONTOSO\\svc_app')] })] }),
      },
    },
    {
      name: 'must-change user that holds no SPN and runs no pool is out of scope',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'new_hire', ...mustChange })] }) },
    },
    {
      name: 'edge: computers and gMSAs are never "must change" (machine-managed passwords)',
      input: {
        snapshot: snapshot({
          accounts: [
            account({ sam: 'WEB09', kind: 'computer', spns: ['HOST/web09.contoso.test'], ...mustChange }),
            account({ sam: 'gmsa_x', kind: 'gmsa', spns: ['HTTP/x.contoso.test'], ...mustChange }),
          ],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'pool identity that must change its password: error, 503, and the pool needs the password',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_app', ...mustChange })] }),
        inventory: inventory({
          servers: [
            server({ name: 'WEB01', pools: [pool('AppPool', 'CONTOSO\\svc_app')] }),
            server({ name: 'WEB02', pools: [pool('AppPool', 'CONTOSO\\svc_app', 'WEB02')] }),
          ],
        }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_app'),
          message: 'user CONTOSO\\svc_app (pool identity of WEB01/AppPool, WEB02/AppPool) must change its password at next logon (pwdLastSet = 0)',
          evidence: { pools: ['WEB01/AppPool', 'WEB02/AppPool'] },
          fixes: [
            "Set-ADUser -Identity 'svc_app' -ChangePasswordAtLogon $false -Server 'contoso.test'",
            "Set-ADAccountPassword -Identity 'svc_app' -Reset -Server 'contoso.test'",
            'Store the new password in application pool "AppPool" on WEB01 and "AppPool" on WEB02 (IIS Manager > Application Pools > Advanced Settings > Identity), then recycle the pool.',
          ],
        },
      ],
    },
    {
      name: 'edge: SPN holder without inventory is a warning (a service running as it cannot log on)',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_sql', spns: ['MSSQLSvc/sql01.contoso.test:1433'], ...mustChange })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_sql'),
          message: 'holds 1 SPN',
          fixes: [
            "Set-ADUser -Identity 'svc_sql' -ChangePasswordAtLogon $false -Server 'contoso.test'",
            "Set-ADAccountPassword -Identity 'svc_sql' -Reset -Server 'contoso.test'",
          ],
        },
      ],
    },
  ],
});
