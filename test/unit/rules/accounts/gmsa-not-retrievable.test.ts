import { gmsaNotRetrievableRule } from '../../../../src/rules/accounts/gmsa-not-retrievable.js';
import { account, computer, guidFor, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const SID = 'S-1-5-21-1-2-3';
const web01 = computer('WEB01', { objectSid: `${SID}-1101` });
const web03 = computer('WEB03', { objectSid: `${SID}-1103` });
const gmsa = (membership: string[] | null) =>
  account({ sam: 'gmsa_apps', kind: 'gmsa', spns: ['HTTP/apps.contoso.test'], objectSid: `${SID}-1200`, groupMsaMembership: membership });
const appsOn = (...names: string[]) =>
  inventory({ servers: names.map((name) => server({ name, pools: [pool('AppsPool', 'CONTOSO\\gmsa_apps$', name)] })) });
const subject = { account: 'CONTOSO\\gmsa_apps$', accountGuid: guidFor('contoso.test\\gmsa_apps$'), domain: 'contoso.test' };
const grant = (list: string) => `Set-ADServiceAccount -Identity 'gmsa_apps$' -PrincipalsAllowedToRetrieveManagedPassword ${list} -Server 'contoso.test'`;
const check = (servers: string, pools: string) => `On ${servers}: Test-ADServiceAccount gmsa_apps$ must return True; then recycle ${pools}.`;

ruleTester(gmsaNotRetrievableRule).run({
  valid: [
    { name: 'both servers granted directly', input: { snapshot: snapshot({ accounts: [web01, web03, gmsa([`${SID}-1101`, `${SID}-1103`])] }), inventory: appsOn('WEB01', 'WEB03') } },
    {
      name: 'granted to Domain Computers (RID 515), the servers\' primary group',
      input: { snapshot: snapshot({ accounts: [web01, web03, gmsa([`${SID}-515`])] }), inventory: appsOn('WEB01', 'WEB03') },
    },
    { name: 'edge: descriptor not readable (null) proves nothing', input: { snapshot: snapshot({ accounts: [web03, gmsa(null)] }), inventory: appsOn('WEB03') } },
    { name: 'gMSA not used by any pool', input: { snapshot: snapshot({ accounts: [web03, gmsa([`${SID}-1101`])] }), inventory: inventory({ servers: [server({ name: 'WEB03' })] }) } },
  ],
  invalid: [
    {
      name: 'scenario: gmsa_apps$ grants WEB01$ only but runs AppsPool on WEB03',
      input: { snapshot: snapshot({ accounts: [web01, web03, gmsa([`${SID}-1101`])] }), inventory: appsOn('WEB03') },
      findings: [
        {
          severity: 'error',
          subject,
          message: 'gMSA CONTOSO\\gmsa_apps$ is the identity of WEB03/AppsPool: msDS-GroupMSAMembership does not grant WEB03 (WEB03$), so that server cannot retrieve its password and WEB03/AppsPool cannot start (HTTP 503).',
          evidence: { servers: [{ server: 'WEB03', computer: 'WEB03$', grant: 'not-granted' }] },
          fixes: [grant("'WEB01$','WEB03$'"), check('WEB03', '"AppsPool"')],
          fixKinds: ['powershell', 'manual'],
          notes: ['replaces the list: the command repeats the principals granted today'],
        },
      ],
    },
    {
      name: 'edge: a granted SID the snapshot cannot resolve may be a group: info, never a claimed failure',
      input: { snapshot: snapshot({ accounts: [web01, web03, gmsa([`${SID}-1101`, `${SID}-2001`])] }), inventory: appsOn('WEB01', 'WEB03') },
      findings: [
        {
          severity: 'info',
          subject,
          message: `WEB03 (WEB03$) is not granted directly; the descriptor also grants ${SID}-2001, probably group(s) whose membership cannot be resolved from the snapshot`,
          evidence: { unresolvedPrincipals: [`${SID}-2001`] },
          fixes: [grant(`'WEB01$','${SID}-2001','WEB03$'`), check('WEB03', '"AppsPool"')],
          notes: ['only if the server is not a member of the granted group(s)'],
        },
      ],
    },
    {
      name: 'edge: server whose computer account is not in the snapshot is reported as not checked',
      input: { snapshot: snapshot({ accounts: [web01, gmsa([`${SID}-1101`])] }), inventory: appsOn('WEB01', 'WEB05') },
      findings: [
        {
          severity: 'info',
          subject,
          message: 'the computer account of WEB05 is not in the snapshot (or has no SID)',
          evidence: { servers: [{ server: 'WEB01', grant: 'granted' }, { server: 'WEB05', computer: 'WEB05$', grant: 'unknown-computer' }] },
          fixes: [grant("'WEB01$','WEB05$'"), check('WEB05', '"AppsPool"')],
        },
      ],
    },
  ],
});
