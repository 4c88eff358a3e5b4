import { describe, expect, it } from 'vitest';
import { appcmdExtendedProtectionSpns, appcmdProviders, collectionEdits } from '../../../../src/rules/iis/provider-fix.js';

describe('collectionEdits', () => {
  it.each([
    { current: ['NTLM'], desired: ['Negotiate', 'NTLM'], edits: ['+Negotiate', '-NTLM', '+NTLM'] },
    { current: ['Negotiate:Kerberos'], desired: ['Negotiate', 'NTLM'], edits: ['+Negotiate', '+NTLM', '-Negotiate:Kerberos'] },
    { current: [], desired: ['Negotiate', 'NTLM'], edits: ['+Negotiate', '+NTLM'] },
    { current: ['Negotiate', 'NTLM'], desired: ['Negotiate', 'NTLM'], edits: [] },
    { current: ['Negotiate'], desired: ['Negotiate', 'NTLM'], edits: ['+NTLM'] },
    { current: ['Negotiate', 'NTLM'], desired: ['Negotiate'], edits: ['-NTLM'] },
    // A new element after a re-added one: remove the tail first, then append in order.
    { current: ['NTLM'], desired: ['NTLM', 'Negotiate'], edits: ['+Negotiate'] },
    { current: ['B', 'A'], desired: ['A', 'C'], edits: ['-B', '-A', '+A', '+C'] },
    { current: ['ntlm'], desired: ['Negotiate', 'NTLM'], edits: ['+Negotiate', '-ntlm', '+NTLM'] },
  ])('$current -> $desired', ({ current, desired, edits }) => {
    const got = collectionEdits(current, desired).map((e) => `${e.op === 'add' ? '+' : '-'}${e.value}`);
    expect(got).toEqual(edits);
  });

  it('always ends with the desired order when replayed', () => {
    const cases: Array<[string[], string[]]> = [
      [['NTLM'], ['Negotiate', 'NTLM']],
      [['B', 'A'], ['A', 'C']],
      [['A', 'B', 'C'], ['C', 'A', 'D']],
      [['Negotiate:Kerberos', 'NTLM'], ['Negotiate', 'NTLM']],
    ];
    for (const [current, desired] of cases) {
      let list = [...current];
      for (const e of collectionEdits(current, desired)) {
        list = e.op === 'add' ? [...list, e.value] : list.filter((x) => x.toLowerCase() !== e.value.toLowerCase());
      }
      expect(list).toEqual(desired);
    }
  });

  it.each([
    [['NTLM'], ['Negotiate', 'NTLM']],
    [['Negotiate:Kerberos'], ['Negotiate', 'NTLM']],
  ])('never leaves %j without providers on the way to %j', (current, desired) => {
    let list = [...current];
    for (const e of collectionEdits(current, desired)) {
      list = e.op === 'add' ? [...list, e.value] : list.filter((x) => x !== e.value);
      expect(list.length).toBeGreaterThan(0);
    }
  });
});

describe('appcmdProviders', () => {
  it('prints one appcmd per edit, chained with &&, and the full list as the action', () => {
    const fix = appcmdProviders('WEB03', 'Legacy', ['NTLM'], ['Negotiate', 'NTLM']);
    expect(fix.kind).toBe('appcmd');
    expect(fix.command).toBe(
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "Legacy" -section:system.webServer/security/authentication/windowsAuthentication /+"providers.[value=\'Negotiate\']" /commit:apphost' +
        ' && %windir%\\system32\\inetsrv\\appcmd.exe set config "Legacy" -section:system.webServer/security/authentication/windowsAuthentication /-"providers.[value=\'NTLM\']" /commit:apphost' +
        ' && %windir%\\system32\\inetsrv\\appcmd.exe set config "Legacy" -section:system.webServer/security/authentication/windowsAuthentication /+"providers.[value=\'NTLM\']" /commit:apphost',
    );
    expect(fix.note).toBe('run on WEB03');
    expect(fix.action).toEqual({
      type: 'iis-set',
      server: 'WEB03',
      location: 'Legacy',
      section: 'system.webServer/security/authentication/windowsAuthentication',
      property: 'providers',
      value: 'Negotiate,NTLM',
      previous: 'NTLM',
    });
  });

  it.each([
    ['a provider with a quote', 'Legacy', ["NTLM']\" & calc & rem"]],
    ['a provider with a space', 'Legacy', ['NT LM']],
    ['a location with %', 'Legacy%TEMP%', ['NTLM']],
    ['a location with a line break', 'Leg\nacy', ['NTLM']],
    ['an empty location (server level is not ours to change)', '', ['NTLM']],
  ])('withholds the command for %s but keeps the structured action', (_name, location, current) => {
    const fix = appcmdProviders('WEB03', location, current, ['Negotiate', ...current]);
    expect(fix.kind).toBe('manual');
    expect(fix.command).toMatch(/^Command withheld: /);
    expect(fix.action).toMatchObject({ type: 'iis-set', property: 'providers', location });
  });
});

describe('appcmdExtendedProtectionSpns', () => {
  it('adds only SPNs not already listed', () => {
    const fix = appcmdExtendedProtectionSpns('WEB01', 'Intranet', ['HTTP/a.contoso.test'], ['http/a.contoso.test', 'HTTP/b.contoso.test']);
    expect(fix.command).toBe(
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "Intranet" -section:system.webServer/security/authentication/windowsAuthentication /+"extendedProtection.[name=\'HTTP/b.contoso.test\']" /commit:apphost',
    );
    expect(fix.action).toMatchObject({ property: 'extendedProtection.spn', value: 'HTTP/a.contoso.test,HTTP/b.contoso.test', previous: 'HTTP/a.contoso.test' });
  });
});
