import { malformedSpn } from '../../../../src/rules/kerberos/malformed-spn.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, snapshot } from '../../../support/fixtures.js';

const svc = (spns: string[]) => account({ sam: 'svc_web', spns });
const guid = svc([]).objectGuid;
const subject = (spn: string) => ({ account: 'CONTOSO\\svc_web', accountGuid: guid, spn });

ruleTester(malformedSpn).run({
  valid: [
    { name: 'well-formed HTTP SPNs', input: { snapshot: snapshot({ accounts: [svc(['HTTP/intranet.contoso.test', 'HTTP/intranet', 'HTTP/intranet.contoso.test:8080'])] }) } },
    { name: 'ports and instance names on other classes are normal', input: { snapshot: snapshot({ accounts: [svc(['MSSQLSvc/sql01.contoso.test:1433', 'MSSQLSvc/sql01.contoso.test:INSTANCE', 'ldap/dc1.contoso.test/contoso.test'])] }) } },
  ],
  invalid: [
    {
      name: 'HTTPS class: remove it and register HTTP/',
      input: { snapshot: snapshot({ accounts: [svc(['HTTPS/intranet.contoso.test'])] }) },
      findings: [
        {
          severity: 'error',
          subject: subject('HTTPS/intranet.contoso.test'),
          message: 'browsers ask for HTTP/<host> for https:// URLs too',
          evidence: { defects: ['https-class'], corrected: 'HTTP/intranet.contoso.test' },
          fixes: ['setspn -U -D HTTPS/intranet.contoso.test CONTOSO\\svc_web', 'setspn -U -S HTTP/intranet.contoso.test CONTOSO\\svc_web'],
        },
      ],
    },
    {
      name: 'default port, trailing dot, URL and whitespace (flagged, not trimmed)',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/a.contoso.test:80', 'HTTP/b.contoso.test.', 'http://c.contoso.test/', ' HTTP/d.contoso.test'])] }) },
      findings: [
        { severity: 'error', subject: subject('HTTP/a.contoso.test:80'), fixes: ['setspn -U -D HTTP/a.contoso.test:80 CONTOSO\\svc_web', 'setspn -U -S HTTP/a.contoso.test CONTOSO\\svc_web'] },
        { severity: 'error', subject: subject('HTTP/b.contoso.test.'), fixes: ['setspn -U -D HTTP/b.contoso.test. CONTOSO\\svc_web', 'setspn -U -S HTTP/b.contoso.test CONTOSO\\svc_web'] },
        { severity: 'error', subject: subject('http://c.contoso.test/'), message: 'looks like a URL', fixes: ['setspn -U -D http://c.contoso.test/ CONTOSO\\svc_web', 'setspn -U -S HTTP/c.contoso.test CONTOSO\\svc_web'] },
        { severity: 'error', subject: subject(' HTTP/d.contoso.test'), message: 'leading or trailing whitespace', fixes: ['setspn -U -D " HTTP/d.contoso.test" CONTOSO\\svc_web', 'setspn -U -S HTTP/d.contoso.test CONTOSO\\svc_web'] },
      ],
    },
    {
      name: 'edge: the corrected SPN already belongs to the account, or to another one',
      input: {
        snapshot: snapshot({
          accounts: [svc(['HTTPS/mine.contoso.test', 'HTTP/mine.contoso.test', 'HTTPS/theirs.contoso.test']), account({ sam: 'svc_other', spns: ['HTTP/theirs.contoso.test'] })],
        }),
      },
      findings: [
        { severity: 'error', subject: subject('HTTPS/mine.contoso.test'), fixes: ['setspn -U -D HTTPS/mine.contoso.test CONTOSO\\svc_web'] },
        {
          severity: 'error',
          subject: subject('HTTPS/theirs.contoso.test'),
          fixes: [
            'setspn -U -D HTTPS/theirs.contoso.test CONTOSO\\svc_web',
            'HTTP/theirs.contoso.test already belongs to CONTOSO\\svc_other: decide which account must decrypt it before registering it on CONTOSO\\svc_web.',
          ],
        },
      ],
    },
    {
      name: 'edge: an IP-literal SPN is info only (TryIPSPN)',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/10.0.0.5'])] }) },
      findings: [
        {
          severity: 'info',
          subject: subject('HTTP/10.0.0.5'),
          fixes: ['Keep HTTP/10.0.0.5 only if clients reach this service by IP address with TryIPSPN enabled; otherwise remove it.'],
        },
      ],
    },
    {
      name: 'edge: a malformed machine SPN on a computer is never removed by hand',
      input: { snapshot: snapshot({ accounts: [computer('WEB01', { spns: ['HOST/web01.contoso.test.'] })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\WEB01$', accountGuid: computer('WEB01').objectGuid, spn: 'HOST/web01.contoso.test.' },
          fixes: ["HOST/web01.contoso.test. on CONTOSO\\WEB01$ is a machine SPN: correct the computer's dNSHostName or name and let Windows re-register it rather than removing it by hand."],
        },
      ],
    },
    {
      name: 'edge: an SPN with control characters gets a withheld command, never a pasteable one',
      input: { snapshot: snapshot({ accounts: [svc(['HTTP/evil\r\nnet user x'])] }) },
      findings: [
        {
          severity: 'error',
          subject: subject('HTTP/evil\r\nnet user x'),
          fixKinds: ['manual', 'manual'],
          fixes: [
            'Command withheld: the SPN or account name contains characters that cannot be quoted safely; review and apply by hand.',
            'Register the intended SPN (class/host, e.g. HTTP/web.contoso.test) on CONTOSO\\svc_web if the service needs one.',
          ],
        },
      ],
    },
  ],
});
