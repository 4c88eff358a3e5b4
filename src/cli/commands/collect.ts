import type { Command } from 'commander';
import { addConnectionOptions, type ConnectionCliOptions } from '../connection-options.js';
import { collectList } from './options.js';

export interface CollectCliOptions extends ConnectionCliOptions {
  out?: string;
  identity?: string[];
}

export function registerCollect(program: Command): void {
  const cmd = program
    .command('collect')
    .description('Read every SPN holder (and named app pool identities) from a domain controller into a snapshot file')
    .option('--out <file>', 'snapshot file to write (JSON)')
    .option('--identity <name>', 'also read this account by name, e.g. an app pool identity without SPNs (repeatable)', collectList, []);
  addConnectionOptions(cmd).action(async (opts: CollectCliOptions) => {
    const { collectCommand } = await import('../collect.js');
    await collectCommand(opts);
  });
}
