import { protocolTransitionRule } from '../../../../src/rules/accounts/protocol-transition.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, guidFor, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const one = (a: ReturnType<typeof account>) => ({ snapshot: snapshot({ accounts: [a] }) });
const T2A4D = UAC.NORMAL_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;

ruleTester(protocolTransitionRule).run({
  valid: [
    { name: 'Kerberos-only constrained delegation', input: one(account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], allowedToDelegateTo: ['cifs/sql01.contoso.test'] })) },
    { name: 'edge: flag on an account that is neither SPN holder nor pool identity is out of scope', input: one(account({ sam: 'svc_idle', uac: T2A4D })) },
  ],
  invalid: [
    {
      name: 'protocol transition with targets',
      input: one(account({ sam: 'svc_kcd', spns: ['HTTP/reports.contoso.test'], uac: T2A4D, allowedToDelegateTo: ['cifs/sql01.contoso.test'] })),
      findings: [
        {
          severity: 'info',
          subject: subjectOf('svc_kcd'),
          message: 'can impersonate any user, without their password, to cifs/sql01.contoso.test',
          fixes: ["Set-ADAccountControl -Identity 'svc_kcd' -TrustedToAuthForDelegation $false -Server 'contoso.test'"],
          notes: ['only when every user reaches the service with Kerberos'],
        },
      ],
    },
    {
      name: 'edge: no targets listed',
      input: one(account({ sam: 'svc_pt', spns: ['HTTP/pt.contoso.test'], uac: T2A4D })),
      findings: [
        {
          severity: 'info',
          subject: subjectOf('svc_pt'),
          message: '(none listed today)',
          fixes: ["Set-ADAccountControl -Identity 'svc_pt' -TrustedToAuthForDelegation $false -Server 'contoso.test'"],
        },
      ],
    },
  ],
});
