import { kerberosOnlyProvider } from '../../../../src/rules/iis/kerberos-only-provider.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { providerEdit } from './helpers.js';

function web01(auth: AuthSpec, apps: Array<{ path: string; auth?: AuthSpec }> = []) {
  return inventory({ servers: [server({ name: 'WEB01', sites: [site('Intranet', { auth, apps })] })] });
}

const manual =
  'Keep Kerberos-only if it is intended, and fix every SPN finding for the host names of site "Intranet" on WEB01 first.';
const restoreDefault = (loc: string) =>
  [providerEdit(loc, '+', 'Negotiate'), providerEdit(loc, '+', 'NTLM'), providerEdit(loc, '-', 'Negotiate:Kerberos')].join(' && ');

ruleTester(kerberosOnlyProvider).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'Negotiate and NTLM', input: { snapshot: snapshot(), inventory: web01({}) } },
    { name: 'Negotiate:Kerberos with NTLM as fallback', input: { snapshot: snapshot(), inventory: web01({ windows: { providers: ['Negotiate:Kerberos', 'NTLM'] } }) } },
    { name: 'Windows auth off', input: { snapshot: snapshot(), inventory: web01({ windows: { enabled: false, providers: ['Negotiate:Kerberos'] } }) } },
    { name: 'edge: an empty list is negotiate-disabled, not this rule', input: { snapshot: snapshot(), inventory: web01({ windows: { providers: [] } }) } },
  ],
  invalid: [
    {
      name: 'only Negotiate:Kerberos',
      input: { snapshot: snapshot(), inventory: web01({ windows: { providers: ['Negotiate:Kerberos'] } }) },
      findings: [
        {
          severity: 'info',
          subject: { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          fixes: [manual, restoreDefault('Intranet')],
          fixKinds: ['manual', 'appcmd'],
          message: 'the only Windows-auth provider is Negotiate:Kerberos',
          evidence: { applications: ['/'], providers: ['Negotiate:Kerberos'] },
          notes: ['only if NTLM fallback is acceptable'],
        },
      ],
    },
    {
      name: 'edge: case-insensitive provider name, child app inherits (one finding)',
      input: { snapshot: snapshot(), inventory: web01({ windows: { providers: ['negotiate:kerberos'] } }, [{ path: '/hr' }]) },
      findings: [
        {
          severity: 'info',
          subject: { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          fixes: [
            manual,
            [providerEdit('Intranet', '+', 'Negotiate'), providerEdit('Intranet', '+', 'NTLM'), providerEdit('Intranet', '-', 'negotiate:kerberos')].join(' && '),
          ],
          evidence: { applications: ['/', '/hr'] },
        },
      ],
    },
  ],
});
