/**
 * Keeps the public rule catalogue honest: every rule registered in src/rules/index.ts has a unique
 * kebab-case id, complete metadata, its docs page, and at least one unit test that names it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rules } from '../../../src/rules/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') && !p.endsWith('catalogue.test.ts') ? [p] : [];
  });
}

const tests = testFiles(join(root, 'test/unit')).map((file) => ({ file: relative(root, file), text: `${relative(root, file)}\n${readFileSync(file, 'utf8')}` }));

/** The id as a whole token, so "missing-spn" is not satisfied by "missing-spn-variant". */
const mentions = (text: string, id: string) => new RegExp(`(^|[^a-z0-9-])${id.replace(/-/g, '\\-')}([^a-z0-9-]|$)`, 'm').test(text);

describe('rule catalogue', () => {
  it('is not empty and ids are unique', () => {
    const ids = rules.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  describe.each(rules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    it('has a kebab-case id and complete metadata', () => {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(['kerberos', 'iis', 'account', 'encryption', 'security']).toContain(rule.category);
      expect(rule.title.trim().length).toBeGreaterThan(10);
      expect(rule.why.trim().length).toBeGreaterThan(40);
      expect(typeof rule.needsInventory).toBe('boolean');
      expect(typeof rule.check).toBe('function');
    });

    it('has its docs page', () => {
      expect(rule.docs).toBe(`docs/rules/${id}.md`);
      const path = join(root, rule.docs);
      expect(existsSync(path), `${rule.docs} is missing`).toBe(true);
      expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(`# ${id}`);
    });

    it('is named by at least one unit test', () => {
      expect(tests.filter((t) => mentions(t.text, id)).map((t) => t.file), `no test under test/unit mentions ${id}`).not.toEqual([]);
    });
  });
});
