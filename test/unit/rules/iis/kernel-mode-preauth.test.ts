import { kernelModePreauth } from '../../../../src/rules/iis/kernel-mode-preauth.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { APPCMD, WINDOWS } from './helpers.js';

function web01(sites: Array<{ name: string; auth: AuthSpec; apps?: Array<{ path: string; auth?: AuthSpec }> }>) {
  return inventory({ servers: [server({ name: 'WEB01', sites: sites.map((s) => site(s.name, { auth: s.auth, apps: s.apps ?? [] })) })] });
}

const CLIENT_FIX =
  'On the clients that pre-authenticate (Internet Explorer / IE mode, custom HTTP clients), set REG_DWORD DisableNTLMPreAuth=1 under ' +
  'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings, e.g. by Group Policy Preferences or ' +
  'reg add "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings" /v DisableNTLMPreAuth /t REG_DWORD /d 1 /f';
const kernelOff = (loc: string) => `${APPCMD} "${loc}" ${WINDOWS} /useKernelMode:"False" /commit:apphost`;

ruleTester(kernelModePreauth).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'kernel mode off', input: { snapshot: snapshot(), inventory: web01([{ name: 'Intranet', auth: { windows: { useKernelMode: false } } }]) } },
    { name: 'edge: kernel mode on but Windows auth off', input: { snapshot: snapshot(), inventory: web01([{ name: 'Intranet', auth: { windows: { enabled: false }, anonymous: true } }]) } },
  ],
  invalid: [
    {
      name: 'Windows auth with kernel mode (the IIS default)',
      input: { snapshot: snapshot(), inventory: web01([{ name: 'Intranet', auth: {} }]) },
      findings: [
        {
          severity: 'info',
          subject: { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          fixes: [CLIENT_FIX, kernelOff('Intranet')],
          fixKinds: ['manual', 'appcmd'],
          message: 'KB2749007',
          evidence: { applications: ['/'], useKernelMode: true, useAppPoolCredentials: false },
          notes: ['keeps kernel mode', 'its account must hold the site SPNs first'],
        },
      ],
    },
    {
      name: 'edge: one finding per site, not per application or binding',
      input: {
        snapshot: snapshot(),
        inventory: web01([
          { name: 'Intranet', auth: {}, apps: [{ path: '/a' }, { path: '/b' }] },
          { name: 'Portal', auth: { windows: { useAppPoolCredentials: true } } },
        ]),
      },
      findings: [
        { severity: 'info', subject: { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' }, fixes: [CLIENT_FIX, kernelOff('Intranet')], evidence: { applications: ['/', '/a', '/b'] } },
        { severity: 'info', subject: { server: 'WEB01', site: 'Portal', appPool: 'PortalPool' }, fixes: [CLIENT_FIX, kernelOff('Portal')], evidence: { useAppPoolCredentials: true } },
      ],
    },
  ],
});
