import { missingSpnVariant } from '../../../../src/rules/kerberos/missing-spn-variant.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const portal = account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test'] });
const short = account({ sam: 'svc_short', spns: ['HTTP/app'] });
const bigSpns = Array.from({ length: 25 }, (_, i) => `HTTP/big-${i + 1}.contoso.test`);
const big = account({ sam: 'svc_big', spns: bigSpns });
const subject = (a: typeof portal, spn: string) => ({ account: `CONTOSO\\${a.sAMAccountName}`, accountGuid: a.objectGuid, spn });

ruleTester(missingSpnVariant).run({
  valid: [
    { name: 'both forms on the account', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_i', spns: ['HTTP/intranet.contoso.test', 'HTTP/intranet'] })] }) } },
    { name: 'an FQDN outside the domains in scope', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_x', spns: ['HTTP/app.partner.example'] })] }) } },
    { name: 'a computer whose short name resolves to itself through HOST/', input: { snapshot: snapshot({ accounts: [computer('WEB01', { spns: ['HOST/WEB01', 'HTTP/web01.contoso.test'] })] }) } },
    { name: 'non-HTTP classes', input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_sql', spns: ['MSSQLSvc/sql01.contoso.test:1433'] })] }) } },
    {
      name: 'a duplicated SPN is left to duplicate-spn',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_dup1', spns: ['HTTP/shared.contoso.test'] }), account({ sam: 'svc_dup2', spns: ['HTTP/shared.contoso.test'] })] }) },
    },
  ],
  invalid: [
    {
      name: 'FQDN only, short name not seen in the inventory: info',
      input: { snapshot: snapshot({ accounts: [portal] }) },
      findings: [
        {
          severity: 'info',
          subject: { account: 'CONTOSO\\svc_portal', accountGuid: portal.objectGuid },
          message: 'CONTOSO\\svc_portal holds HTTP/portal.contoso.test but not HTTP/portal; no IIS site in scope uses portal.',
          evidence: { missing: ['HTTP/portal'], count: 1, nameInUse: false },
          fixes: ['setspn -U -S HTTP/portal CONTOSO\\svc_portal'],
        },
      ],
    },
    {
      name: 'FQDN only, and a binding uses the short name: warning',
      input: { snapshot: snapshot({ accounts: [portal] }), inventory: inventory({ servers: [singleSite({ server: 'WEB03', hosts: ['portal.contoso.test', 'portal'] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: subject(portal, 'HTTP/portal.contoso.test'),
          message: 'CONTOSO\\svc_portal holds HTTP/portal.contoso.test but not HTTP/portal, and the IIS inventory shows portal in use.',
          fixes: ['setspn -U -S HTTP/portal CONTOSO\\svc_portal'],
        },
      ],
    },
    {
      name: 'short name only: the FQDN in the account\'s domain is proposed',
      input: { snapshot: snapshot({ accounts: [short] }) },
      findings: [{ severity: 'info', subject: { account: 'CONTOSO\\svc_short', accountGuid: short.objectGuid }, fixes: ['setspn -U -S HTTP/app.contoso.test CONTOSO\\svc_short'] }],
    },
    {
      name: 'edge: thousands of unused variants on one account are one finding, fixes capped with a pointer to the evidence',
      input: { snapshot: snapshot({ accounts: [big] }) },
      findings: [
        {
          severity: 'info',
          subject: { account: 'CONTOSO\\svc_big', accountGuid: big.objectGuid },
          message:
            'CONTOSO\\svc_big holds 25 HTTP SPNs without their other form (short name or FQDN), e.g. HTTP/big-1.contoso.test but not HTTP/big-1; no IIS site in scope uses the missing names.',
          evidence: { count: 25, missing: bigSpns.map((s) => s.replace('.contoso.test', '')) },
          fixes: [
            ...bigSpns.slice(0, 20).map((s) => `setspn -U -S ${s.replace('.contoso.test', '')} CONTOSO\\svc_big`),
            "Register the other 5 missing forms listed in this finding's evidence (missing[]) the same way, if users reach those names.",
          ],
        },
      ],
    },
    {
      name: 'edge: the short form is another machine\'s name through HOST/ — report the clash, never propose it',
      input: { snapshot: snapshot({ accounts: [computer('WEB01'), account({ sam: 'svc_x', spns: ['HTTP/web01.contoso.test'] })] }) },
      findings: [
        {
          severity: 'info',
          subject: subject(account({ sam: 'svc_x' }), 'HTTP/web01.contoso.test'),
          evidence: { clash: 'HOST/WEB01 (HOST alias) belongs to CONTOSO\\WEB01$' },
          fixKinds: ['manual'],
          fixes: [
            "Do not register HTTP/web01 on CONTOSO\\svc_x: HOST/WEB01 (HOST alias) belongs to CONTOSO\\WEB01$, and taking it would send that machine's HTTP-class tickets to CONTOSO\\svc_x. Have users use web01.contoso.test (or give the service a distinct name).",
          ],
        },
      ],
    },
  ],
});
