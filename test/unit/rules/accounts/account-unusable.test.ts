import { accountUnusableRule } from '../../../../src/rules/accounts/account-unusable.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, computer, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });

const appServer = (identity: string) => server({ name: 'WEB01', pools: [pool('AppPool', identity)] });

ruleTester(accountUnusableRule).run({
  valid: [
    {
      name: 'krbtgt: disabled by design, holds kadmin/changepw',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'krbtgt', uac: 0x202, spns: ['kadmin/changepw'] })] }) },
    },
    {
      name: 'enabled SPN holder whose expiry date is still ahead',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_web', spns: ['HTTP/web.contoso.test'], accountExpires: '2027-01-01T00:00:00.000Z' })] }) },
    },
    {
      name: 'computer past its password expiry (machines still get tickets and renew it themselves)',
      input: { snapshot: snapshot({ accounts: [computer('WEB01', { userAccountControlComputed: UAC.PASSWORD_EXPIRED })] }) },
    },
    {
      name: 'disabled account that holds no SPN and runs no pool is out of scope',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'former_employee', uac: UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE })] }),
        inventory: inventory({ servers: [appServer('CONTOSO\\svc_app')] }),
      },
    },
  ],
  invalid: [
    {
      name: 'disabled user still holding an SPN (no inventory): enable it, or release the SPN',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_disabled', uac: 0x202, spns: ['HTTP/old.contoso.test'] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_disabled'),
          message: 'user CONTOSO\\svc_disabled is disabled: nothing can run as it, yet it keeps its 1 SPN',
          evidence: { problems: ['disabled'], pools: [] },
          fixes: [
            "Set-ADUser -Identity 'svc_disabled' -Enabled $true -Server 'contoso.test'",
            'setspn -U -D HTTP/old.contoso.test CONTOSO\\svc_disabled',
          ],
          fixKinds: ['powershell', 'setspn'],
        },
      ],
    },
    {
      name: 'pool identity that is expired and locked out: error, 503',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_app', accountExpires: '2026-01-01T00:00:00.000Z', userAccountControlComputed: UAC.LOCKOUT })],
        }),
        inventory: inventory({ servers: [appServer('CONTOSO\\svc_app')] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_app'),
          message: 'user CONTOSO\\svc_app (pool identity of WEB01/AppPool) is expired (accountExpires is in the past) and locked out: IIS cannot log the pool on',
          evidence: { problems: ['expired', 'locked-out'], pools: ['WEB01/AppPool'] },
          fixes: [
            "Set-ADUser -Identity 'svc_app' -AccountExpirationDate $null -Server 'contoso.test'",
            "Unlock-ADAccount -Identity 'svc_app' -Confirm:$false -Server 'contoso.test'",
          ],
        },
      ],
    },
    {
      name: 'pool identity past its password expiry: reset, then store the new password in the pool',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_app', userAccountControlComputed: UAC.PASSWORD_EXPIRED })] }),
        inventory: inventory({ servers: [appServer('svc_app@contoso.test')] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_app'),
          evidence: { problems: ['password-expired'] },
          fixes: [
            "Set-ADAccountPassword -Identity 'svc_app' -Reset -Server 'contoso.test'",
            'Store the new password in application pool "AppPool" on WEB01 (IIS Manager > Application Pools > Advanced Settings > Identity), then recycle the pool.',
          ],
          fixKinds: ['powershell', 'manual'],
        },
      ],
    },
    {
      name: 'edge: a disabled stale computer is info, and its HOST/ SPNs are never removed',
      input: { snapshot: snapshot({ accounts: [computer('OLD01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE })] }) },
      findings: [
        {
          severity: 'info',
          subject: subjectOf('OLD01$'),
          fixes: [
            "Set-ADComputer -Identity 'OLD01$' -Enabled $true -Server 'contoso.test'",
            'If CONTOSO\\OLD01$ is retired, delete the computer object (Remove-ADComputer) rather than removing its HOST/ SPNs.',
          ],
        },
      ],
    },
    {
      name: 'edge: the disabled computer account of an IIS server is an error, with no SPN release',
      input: {
        snapshot: snapshot({ accounts: [computer('WEB01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE })] }),
        inventory: inventory({ servers: [server({ name: 'WEB01' })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('WEB01$'),
          message: 'the web server cannot authenticate to the domain',
          evidence: { iisServer: true },
          fixes: ["Set-ADComputer -Identity 'WEB01$' -Enabled $true -Server 'contoso.test'"],
        },
      ],
    },
    {
      name: 'edge: gMSA pool identity that expired uses Set-ADServiceAccount',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'gmsa_apps', kind: 'gmsa', accountExpires: '2026-05-31T23:59:59.000Z' })] }),
        inventory: inventory({ servers: [appServer('CONTOSO\\gmsa_apps$')] }),
      },
      findings: [
        {
          severity: 'error',
          subject: subjectOf('gmsa_apps$'),
          fixes: ["Set-ADServiceAccount -Identity 'gmsa_apps$' -AccountExpirationDate $null -Server 'contoso.test'"],
        },
      ],
    },
  ],
});
