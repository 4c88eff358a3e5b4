import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/iis');

export function fixture(name: string): { file: string; text: string } {
  const file = join(FIXTURES, name);
  return { file, text: readFileSync(file, 'utf8') };
}

/** 1-based line of the only occurrence of `needle` in `text`: the independent truth for source positions. */
export function lineOf(text: string, needle: string, occurrence?: number): number {
  let index = -1;
  for (let i = 0; i < (occurrence ?? 1); i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`fixture has no occurrence ${occurrence ?? 1} of ${needle}`);
  }
  if (occurrence === undefined && text.indexOf(needle, index + 1) >= 0) throw new Error(`fixture has ${needle} more than once`);
  return text.slice(0, index).split('\n').length;
}
