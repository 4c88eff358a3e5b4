import { portInSpn } from '../../../../src/rules/kerberos/port-in-spn.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, snapshot } from '../../../support/fixtures.js';

const svc = (spns: string[]) => account({ sam: 'svc_app', spns });
const guid = svc([]).objectGuid;
const subject = (spn: string) => ({ account: 'CONTOSO\\svc_app', accountGuid: guid, spn });

ruleTester(portInSpn).run({
  valid: [
    { name: 'no port', input: { snapshot: snapshot({ accounts: [svc(['HTTP/app.contoso.test'])] }) } },
    { name: 'ports on other classes are normal', input: { snapshot: snapshot({ accounts: [svc(['MSSQLSvc/sql01.contoso.test:1433', 'ldap/dc1:389'])] }) } },
    { name: ':80 and :443 are malformed-spn\'s finding', input: { snapshot: snapshot({ accounts: [svc(['HTTP/app.contoso.test:443'])] }) } },
    {
      name: 'the inventory says browsers include the port',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/app.contoso.test:8080'])] }), inventory: inventory({ servers: [], browsersIncludePort: true }) },
    },
  ],
  invalid: [
    {
      name: 'port-only SPN: nobody holds the port-less name',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/app.contoso.test:8080'])] }) },
      findings: [
        {
          severity: 'warning',
          subject: subject('HTTP/app.contoso.test:8080'),
          message: 'browsers fall back to NTLM',
          fixes: [
            'setspn -U -S HTTP/app.contoso.test CONTOSO\\svc_app',
            'Alternatively deploy EnableAuthNegotiatePort (Edge/Chrome) or FEATURE_INCLUDE_PORT_IN_SPN_KB908209 (IE) to every client so they request HTTP/app.contoso.test:8080.',
          ],
        },
      ],
    },
    {
      name: 'the port-less form is also there: the port SPN is just unused',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/app.contoso.test', 'HTTP/app.contoso.test:8080'])] }) },
      findings: [{ severity: 'info', subject: subject('HTTP/app.contoso.test:8080'), fixes: ['setspn -U -D HTTP/app.contoso.test:8080 CONTOSO\\svc_app'], notes: ['only if no client is configured to include the port'] }],
    },
    {
      name: 'edge: the port-less name belongs to a computer through HOST/ — never propose taking it',
      input: { snapshot: snapshot({ accounts: [computer('WEB01'), svc(['www/web01.contoso.test:8443'])] }) },
      findings: [
        {
          severity: 'warning',
          subject: subject('www/web01.contoso.test:8443'),
          fixKinds: ['manual'],
          fixes: [
            'Give the site on port 8443 its own host name and register HTTP/<new name> on CONTOSO\\svc_app, or deploy EnableAuthNegotiatePort / FEATURE_INCLUDE_PORT_IN_SPN_KB908209 to every client; do not take www/web01.contoso.test from CONTOSO\\WEB01$.',
          ],
        },
      ],
    },
  ],
});
