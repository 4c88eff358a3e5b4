import { unconstrainedDelegationRule } from '../../../../src/rules/accounts/unconstrained-delegation.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, computer, guidFor, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const one = (a: ReturnType<typeof account>) => ({ snapshot: snapshot({ accounts: [a] }) });

ruleTester(unconstrainedDelegationRule).run({
  valid: [
    { name: 'no delegation', input: one(account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'] })) },
    {
      name: 'domain controller (SERVER_TRUST_ACCOUNT) needs it',
      input: one(computer('DC1', { uac: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, primaryGroupId: 516 })),
    },
    {
      name: 'edge: read-only DC recognized by primary group 521 alone',
      input: one(computer('RODC1', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION, primaryGroupId: 521 })),
    },
    { name: 'constrained delegation only', input: one(account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], allowedToDelegateTo: ['cifs/sql01.contoso.test'] })) },
  ],
  invalid: [
    {
      name: 'svc_unconstrained (UAC 0x80200)',
      input: one(account({ sam: 'svc_unconstrained', spns: ['HTTP/deleg.contoso.test'], uac: 0x80200 })),
      findings: [
        {
          severity: 'error',
          subject: subjectOf('svc_unconstrained'),
          message: 'is trusted for unconstrained delegation (TRUSTED_FOR_DELEGATION)',
          fixes: [
            "Set-ADUser -Identity 'svc_unconstrained' -TrustedForDelegation $false -Server 'contoso.test'",
            "If the application must reach back-end services as the user, delegate to just those SPNs instead: Set-ADUser -Identity 'svc_unconstrained' -Add @{'msDS-AllowedToDelegateTo'=@('<back-end SPN>')} (constrained delegation), or resource-based constrained delegation on the back-end account.",
          ],
          fixKinds: ['powershell', 'manual'],
        },
      ],
    },
    {
      name: 'edge: member server computer account (not a DC) is reported with Set-ADComputer',
      input: one(computer('APP01', { uac: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION })),
      findings: [
        {
          severity: 'error',
          subject: subjectOf('APP01$'),
          fixes: [
            "Set-ADComputer -Identity 'APP01$' -TrustedForDelegation $false -Server 'contoso.test'",
            "If the application must reach back-end services as the user, delegate to just those SPNs instead: Set-ADComputer -Identity 'APP01$' -Add @{'msDS-AllowedToDelegateTo'=@('<back-end SPN>')} (constrained delegation), or resource-based constrained delegation on the back-end account.",
          ],
        },
      ],
    },
  ],
});
