import { oneLine } from '../errors.js';

/** Quote a value read from a config file for a message: one line, bounded, so hostile input cannot flood or forge output. */
export function show(value: string): string {
  const flat = oneLine(value);
  return `'${flat.length > 120 ? `${flat.slice(0, 120)}…` : flat}'`;
}

/** IIS reads booleans case-insensitively ("True", "false"). */
export function parseBool(value: string): boolean | null {
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : null;
}
