import type { Command } from 'commander';

export function registerCollect(program: Command): void {
  program.command('collect').description('Read every SPN holder from a domain controller into a snapshot file');
}
