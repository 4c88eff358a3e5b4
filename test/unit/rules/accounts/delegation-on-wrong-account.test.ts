import { delegationOnWrongAccountRule } from '../../../../src/rules/accounts/delegation-on-wrong-account.js';
import { account, computer, guidFor, inventory, singleSite, snapshot, type AuthSpec } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const SID = 'S-1-5-21-1-2-3';
const kcd = (extra: Partial<Parameters<typeof account>[0]> = {}) =>
  account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], objectSid: `${SID}-1300`, allowedToDelegateTo: ['cifs/sql01.contoso.test'], ...extra });
const sql01 = (extra: Partial<Parameters<typeof account>[0]> = {}) =>
  computer('SQL01', { spns: ['HOST/SQL01', 'HOST/sql01.contoso.test'], objectSid: `${SID}-1400`, ...extra });
const reports = (auth?: AuthSpec, hosts = ['reports.contoso.test']) =>
  inventory({ servers: [singleSite({ server: 'WEB03', site: 'Reports', hosts, identity: 'CONTOSO\\svc_kcd', ...(auth ? { auth } : {}) })] });
const subject = {
  account: 'CONTOSO\\svc_kcd',
  accountGuid: guidFor('contoso.test\\svc_kcd'),
  domain: 'contoso.test',
  server: 'WEB03',
  site: 'Reports',
  appPool: 'ReportsPool',
};
const useAppPoolCredentials =
  '%windir%\\system32\\inetsrv\\appcmd.exe set config "Reports" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"True" /commit:apphost';

ruleTester(delegationOnWrongAccountRule).run({
  valid: [
    {
      name: 'scenario Reports: useAppPoolCredentials on, so svc_kcd decrypts and its delegation applies',
      input: { snapshot: snapshot({ accounts: [computer('WEB03'), sql01(), kcd()] }), inventory: reports({ windows: { useAppPoolCredentials: true } }) },
    },
    {
      name: 'kernel mode, but no delegation on the pool identity',
      input: { snapshot: snapshot({ accounts: [computer('WEB03'), kcd({ allowedToDelegateTo: [] })] }), inventory: reports() },
    },
    {
      name: 'edge: NTLM-only providers never produce a ticket to delegate',
      input: { snapshot: snapshot({ accounts: [computer('WEB03'), kcd()] }), inventory: reports({ windows: { providers: ['NTLM'] } }) },
    },
  ],
  invalid: [
    {
      name: 'constrained delegation on the pool identity while HTTP.sys decrypts with WEB03$: turn on useAppPoolCredentials, or delegate from WEB03$',
      input: { snapshot: snapshot({ accounts: [computer('WEB03'), sql01(), kcd()] }), inventory: reports() },
      findings: [
        {
          severity: 'warning',
          subject,
          message:
            'user CONTOSO\\svc_kcd has constrained delegation to cifs/sql01.contoso.test, but "Reports" on WEB03 runs with kernel-mode authentication and useAppPoolCredentials off, so tickets are issued to and decrypted by CONTOSO\\WEB03$',
          evidence: { decryptingAccount: 'CONTOSO\\WEB03$', poolDelegation: { constrained: ['cifs/sql01.contoso.test'] } },
          fixes: [useAppPoolCredentials, "Set-ADComputer -Identity 'WEB03$' -Add @{'msDS-AllowedToDelegateTo'=@('cifs/sql01.contoso.test')} -Server 'contoso.test'"],
          fixKinds: ['appcmd', 'powershell'],
        },
      ],
    },
    {
      name: 'edge: resource-based delegation naming the pool identity; two host names still make one finding per application',
      input: {
        snapshot: snapshot({ accounts: [computer('WEB03'), sql01({ allowedToActOnBehalfOf: [`${SID}-1300`] }), kcd({ allowedToDelegateTo: [] })] }),
        inventory: reports(undefined, ['reports.contoso.test', 'reports']),
      },
      findings: [
        {
          severity: 'warning',
          subject,
          message: 'has resource-based delegation to CONTOSO\\SQL01$',
          evidence: { poolDelegation: { resourceBased: ['CONTOSO\\SQL01$'] } },
          fixes: [
            useAppPoolCredentials,
            'Or allow CONTOSO\\WEB03$ on CONTOSO\\SQL01$ (PrincipalsAllowedToDelegateToAccount on each back end, keeping the principals it lists today).',
          ],
        },
      ],
    },
    {
      name: 'edge: the computer already delegates to the same SPN: info, the setting on the pool identity is unused',
      input: {
        snapshot: snapshot({ accounts: [computer('WEB03', { allowedToDelegateTo: ['CIFS/sql01.contoso.test'] }), sql01(), kcd()] }),
        inventory: reports(),
      },
      findings: [
        {
          severity: 'info',
          subject,
          message: 'CONTOSO\\WEB03$ already has matching delegation',
          fixes: [
            'Nothing breaks today: CONTOSO\\WEB03$ already delegates there. Remove the delegation from CONTOSO\\svc_kcd if no application decrypts tickets with it (useAppPoolCredentials on, or kernel mode off), so a stolen password of it reaches less.',
          ],
          fixKinds: ['manual'],
        },
      ],
    },
    {
      name: 'edge: the computer delegates to one of two targets: only the missing one is added',
      input: {
        snapshot: snapshot({
          accounts: [
            computer('WEB03', { allowedToDelegateTo: ['cifs/sql01.contoso.test'] }),
            sql01(),
            kcd({ allowedToDelegateTo: ['cifs/sql01.contoso.test', 'HTTP/api.contoso.test'] }),
          ],
        }),
        inventory: reports(),
      },
      findings: [
        {
          severity: 'warning',
          subject,
          fixes: [useAppPoolCredentials, "Set-ADComputer -Identity 'WEB03$' -Add @{'msDS-AllowedToDelegateTo'=@('HTTP/api.contoso.test')} -Server 'contoso.test'"],
        },
      ],
    },
  ],
});
