import { readFileSync } from 'node:fs';

/** Read once from package.json so `--version`, snapshots and reports always agree. */
function readVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version: string };
  return pkg.version;
}

export const TOOL_NAME = 'spnaudit';
export const TOOL_VERSION = readVersion();
