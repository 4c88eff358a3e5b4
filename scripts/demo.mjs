#!/usr/bin/env node
// `npm run demo`: the full audit of the bundled example domain (a snapshot collected from the
// project's Samba lab) and IIS farm, without any directory server. Prints the table and writes
// the HTML/JSON reports; exits 0 whatever the findings (it is a demonstration, not a gate).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Relative paths, run from the repository root, so the reports name files as the repo does.
const out = path.join('out', 'demo');
const args = [
  'dist/cli/main.js',
  'audit',
  '--snapshot', 'examples/contoso.snapshot.json',
  '--config', 'examples/spnaudit.yaml',
  '--report', `html=${path.join(out, 'report.html')}`,
  '--report', `json=${path.join(out, 'report.json')}`,
  '--fail-on', 'never',
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
if (run.status !== 0) process.exit(run.status ?? 1);
process.stdout.write(`\nHTML report: ${path.join(root, out, 'report.html')}\nJSON report: ${path.join(root, out, 'report.json')}\n`);
