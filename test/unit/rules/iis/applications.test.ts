import { describe, expect, it } from 'vitest';
import { flaggedGroups, posKey, topmost } from '../../../../src/rules/iis/applications.js';
import type { Application } from '../../../../src/model/iis.js';
import { auth, inventory, server, site } from '../../../support/fixtures.js';

const app = (path: string): Application => ({ path, appPool: 'P', auth: auth(), pos: null });

describe('topmost', () => {
  it.each([
    [['/'], ['/']],
    [['/', '/a', '/a/b'], ['/']],
    [['/a', '/a/b', '/c'], ['/a', '/c']],
    [['/a', '/ab'], ['/a', '/ab']],
    [['/A', '/a/b'], ['/A']],
  ])('%j -> %j', (paths, expected) => {
    expect(topmost(paths.map(app)).map((a) => a.path)).toEqual(expected);
  });
});

describe('flaggedGroups', () => {
  it('groups flagged applications of one site by key, root-most first, and skips non-HTTP sites', () => {
    const inv = inventory({
      servers: [
        server({
          name: 'WEB01',
          sites: [
            site('A', { apps: [{ path: '/z' }, { path: '/b' }, { path: '/c' }] }),
            site('TcpOnly', { bindings: ['net.tcp 808:*'] }),
          ],
        }),
      ],
    });
    const groups = flaggedGroups(inv, {
      flagged: (_s, _site, a) => a.path !== '/c',
      key: (_s, _site, a) => (a.path === '/b' ? 'own' : 'shared'),
    });
    expect(groups.map((g) => [g.site.name, g.applications.map((a) => a.path), g.representative.path])).toEqual([
      ['A', ['/', '/z'], '/'],
      ['A', ['/b'], '/b'],
    ]);
  });

  it('keys positions by file and line, null as the schema default', () => {
    expect(posKey({ file: 'x.config', line: 3 })).toBe('x.config:3');
    expect(posKey(null)).toBe('-');
  });
});
