import { delegationToMissingSpnRule } from '../../../../src/rules/accounts/delegation-to-missing-spn.js';
import { account, computer, forest, guidFor, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string, spn: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test', spn });
const sql01 = computer('SQL01', { spns: ['HOST/SQL01', 'HOST/sql01.contoso.test', 'MSSQLSvc/sql01.contoso.test:1433'] });

ruleTester(delegationToMissingSpnRule).run({
  valid: [
    {
      name: 'cifs/sql01 is satisfied by HOST/sql01 through sPNMappings; MSSQLSvc held explicitly',
      input: {
        snapshot: snapshot({
          accounts: [sql01, account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], allowedToDelegateTo: ['cifs/sql01.contoso.test', 'MSSQLSvc/SQL01.contoso.test:1433'] })],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'svc_kcd: one target satisfied via HOST alias, one held by nobody',
      input: {
        snapshot: snapshot({
          accounts: [sql01, account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], allowedToDelegateTo: ['cifs/sql01.contoso.test', 'MSSQLSvc/sql02.contoso.test:1433'] })],
        }),
      },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_kcd', 'MSSQLSvc/sql02.contoso.test:1433'),
          message: 'may delegate to MSSQLSvc/sql02.contoso.test:1433, but no account in forest contoso.test holds that SPN',
          evidence: { forest: 'contoso.test', resolution: 'none' },
          fixes: [
            "Set-ADUser -Identity 'svc_kcd' -Remove @{'msDS-AllowedToDelegateTo'='MSSQLSvc/sql02.contoso.test:1433'} -Server 'contoso.test'",
            'If the back-end service still exists under this name, register MSSQLSvc/sql02.contoso.test:1433 on the account that runs it (setspn -S), so nobody else can claim it.',
          ],
          fixKinds: ['powershell', 'manual'],
        },
      ],
    },
    {
      name: 'edge: a forest whose sPNMappings drop cifs does not get the HOST alias',
      input: {
        snapshot: snapshot({
          forests: [forest({ spnMappings: ['host=alerter,http,www'] })],
          accounts: [sql01, account({ sam: 'svc_kcd', allowedToDelegateTo: ['cifs/sql01.contoso.test'] })],
        }),
      },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_kcd', 'cifs/sql01.contoso.test'),
          fixes: [
            "Set-ADUser -Identity 'svc_kcd' -Remove @{'msDS-AllowedToDelegateTo'='cifs/sql01.contoso.test'} -Server 'contoso.test'",
            'If the back-end service still exists under this name, register cifs/sql01.contoso.test on the account that runs it (setspn -S), so nobody else can claim it.',
          ],
        },
      ],
    },
    {
      name: "edge: a quote in a directory value is doubled for PowerShell, never breaking out of the string",
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_x', allowedToDelegateTo: ["HTTP/o'brien.contoso.test"] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subjectOf('svc_x', "HTTP/o'brien.contoso.test"),
          fixes: [
            "Set-ADUser -Identity 'svc_x' -Remove @{'msDS-AllowedToDelegateTo'='HTTP/o''brien.contoso.test'} -Server 'contoso.test'",
            "If the back-end service still exists under this name, register HTTP/o'brien.contoso.test on the account that runs it (setspn -S), so nobody else can claim it.",
          ],
        },
      ],
    },
  ],
});
