import { hostAliasConflict } from '../../../../src/rules/kerberos/host-alias-conflict.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, forest, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const web01 = computer('WEB01');
const svcX = account({ sam: 'svc_x', spns: ['HTTP/web01.contoso.test'] });
const svcDns = account({ sam: 'svc_dns', spns: ['DNS/web01.contoso.test'] });

ruleTester(hostAliasConflict).run({
  valid: [
    { name: 'HTTP/ and HOST/ on the same computer', input: { snapshot: snapshot({ accounts: [computer('WEB01', { spns: ['HOST/WEB01', 'HTTP/WEB01'] })] }) } },
    { name: 'an HTTP SPN for a name no computer holds', input: { snapshot: snapshot({ accounts: [web01, account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] })] }) } },
    {
      name: 'edge: the forest maps only cifs to host, so HTTP/ and HOST/ are independent',
      input: { snapshot: snapshot({ accounts: [web01, svcX], forests: [forest({ spnMappings: ['host=cifs'] })] }) },
    },
    {
      name: 'edge: HTTP/ registered twice, once on the computer that holds HOST/: the alias is not the conflict',
      input: { snapshot: snapshot({ accounts: [computer('WEB01', { spns: ['HOST/WEB01', 'HTTP/WEB01'] }), account({ sam: 'svc_y', spns: ['http/web01'] })] }) },
    },
  ],
  invalid: [
    {
      name: 'edge: HTTP/ on two users while HOST/ is on the computer',
      input: { snapshot: snapshot({ accounts: [web01, svcX, account({ sam: 'svc_z', spns: ['http/WEB01.contoso.test'] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'HTTP/web01.contoso.test', account: 'CONTOSO\\svc_x', accountGuid: svcX.objectGuid },
          message: 'HTTP/web01.contoso.test is explicit on CONTOSO\\svc_x, CONTOSO\\svc_z while HOST/web01.contoso.test is on CONTOSO\\WEB01$',
          fixes: [
            'If CONTOSO\\svc_x, CONTOSO\\svc_z serves a site on this name, give that site its own host name (a DNS A record), register the SPN for the new name on CONTOSO\\svc_x, CONTOSO\\svc_z, and then remove HTTP/web01.contoso.test; never remove HOST/web01.contoso.test from CONTOSO\\WEB01$.',
            'setspn -U -D HTTP/web01.contoso.test CONTOSO\\svc_x',
            'setspn -U -D http/WEB01.contoso.test CONTOSO\\svc_z',
          ],
        },
      ],
    },
    {
      name: 'edge: another host-mapped class only affects requests for that class',
      input: { snapshot: snapshot({ accounts: [web01, svcDns] }) },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'DNS/web01.contoso.test', account: 'CONTOSO\\svc_dns', accountGuid: svcDns.objectGuid },
          message: 'the explicit SPN wins, so every DNS/ Kerberos request for this name gets tickets for CONTOSO\\svc_dns.',
          fixes: [
            'If CONTOSO\\svc_dns serves a site on this name, give that site its own host name (a DNS A record), register the SPN for the new name on CONTOSO\\svc_dns, and then remove DNS/web01.contoso.test; never remove HOST/web01.contoso.test from CONTOSO\\WEB01$.',
            'setspn -U -D DNS/web01.contoso.test CONTOSO\\svc_dns',
          ],
        },
      ],
    },
    {
      name: 'an explicit HTTP SPN on a user shadows the computer\'s HOST alias',
      input: { snapshot: snapshot({ accounts: [web01, svcX] }) },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'HTTP/web01.contoso.test', account: 'CONTOSO\\svc_x', accountGuid: svcX.objectGuid },
          message:
            'HTTP/web01.contoso.test is explicit on CONTOSO\\svc_x while HOST/web01.contoso.test is on CONTOSO\\WEB01$: the explicit SPN wins, so every HTTP Kerberos service on this name (sites, WinRM, PowerShell remoting) gets tickets for CONTOSO\\svc_x.',
          fixes: [
            'If CONTOSO\\svc_x serves a site on this name, give that site its own host name (a DNS A record), register the SPN for the new name on CONTOSO\\svc_x, and then remove HTTP/web01.contoso.test; never remove HOST/web01.contoso.test from CONTOSO\\WEB01$.',
            'setspn -U -D HTTP/web01.contoso.test CONTOSO\\svc_x',
          ],
        },
      ],
    },
    {
      name: 'the inventory says the computer decrypts: the explicit SPN is simply removed',
      input: {
        snapshot: snapshot({ accounts: [web01, svcX] }),
        inventory: inventory({ servers: [singleSite({ hosts: ['web01.contoso.test'] })] }),
      },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'HTTP/web01.contoso.test', account: 'CONTOSO\\svc_x', accountGuid: svcX.objectGuid },
          evidence: { inventorySaysHostHolderDecrypts: true },
          fixes: ['setspn -U -D HTTP/web01.contoso.test CONTOSO\\svc_x'],
          notes: ['the HOST alias then gives CONTOSO\\WEB01$ the tickets it must decrypt'],
        },
      ],
    },
    {
      name: 'edge: www/ and w3svc/ are host-mapped classes too',
      input: { snapshot: snapshot({ accounts: [web01, account({ sam: 'svc_w', spns: ['www/WEB01'] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'www/WEB01', account: 'CONTOSO\\svc_w', accountGuid: account({ sam: 'svc_w' }).objectGuid },
          fixes: [
            'If CONTOSO\\svc_w serves a site on this name, give that site its own host name (a DNS A record), register the SPN for the new name on CONTOSO\\svc_w, and then remove www/WEB01; never remove HOST/WEB01 from CONTOSO\\WEB01$.',
            'setspn -U -D www/WEB01 CONTOSO\\svc_w',
          ],
        },
      ],
    },
  ],
});
