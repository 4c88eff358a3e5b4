import { preauthNotRequiredRule } from '../../../../src/rules/accounts/preauth-not-required.js';
import { account, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const subjectOf = (sam: string) => ({ account: `CONTOSO\\${sam}`, accountGuid: guidFor(`contoso.test\\${sam}`), domain: 'contoso.test' });
const fix = (sam: string) => `Set-ADAccountControl -Identity '${sam}' -DoesNotRequirePreAuth $false -Server 'contoso.test'`;

ruleTester(preauthNotRequiredRule).run({
  valid: [
    { name: 'pre-authentication required', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_aes', spns: ['HTTP/aesapp.contoso.test'] })] }) } },
    {
      name: 'edge: disabled account (the KDC refuses AS requests for it)',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_gone', spns: ['HTTP/gone.contoso.test'], uac: 0x400202 })] }) },
    },
  ],
  invalid: [
    {
      name: 'svc_nopreauth (UAC 0x400200)',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_nopreauth', spns: ['HTTP/nopreauth.contoso.test'], uac: 0x400200 })] }) },
      findings: [{ severity: 'warning', subject: subjectOf('svc_nopreauth'), message: 'does not require Kerberos pre-authentication (DONT_REQ_PREAUTH)', fixes: [fix('svc_nopreauth')], notes: ['then change the password'] }],
    },
    {
      name: 'edge: privileged pool identity without SPNs is an error',
      input: {
        snapshot: snapshot({ accounts: [account({ sam: 'svc_pool', uac: 0x400200, privileged: true })] }),
        inventory: inventory({ servers: [server({ name: 'WEB01', pools: [pool('AppPool', 'CONTOSO\\svc_pool')] })] }),
      },
      findings: [{ severity: 'error', subject: subjectOf('svc_pool'), message: 'and the account is privileged', evidence: { pools: ['WEB01/AppPool'] }, fixes: [fix('svc_pool')] }],
    },
  ],
});
