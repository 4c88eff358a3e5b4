import type { Command } from 'commander';

export const IIS_FORMATS = ['table', 'json'] as const;

export interface IisCliOptions {
  config?: string;
  format: string;
  output?: string;
}

export function registerIis(program: Command): void {
  program
    .command('iis')
    .description('Read applicationHost.config files and the inventory, and print the IIS model spnaudit understood')
    .argument('[paths...]', 'applicationHost.config files, or folders holding <SERVER>/applicationHost.config or <SERVER>.applicationHost.config')
    .option('--config <file>', 'config file whose iis: paths and inventory: section are read too')
    .option('--format <format>', `output format: ${IIS_FORMATS.join(' or ')}`, 'table')
    .option('--output <file>', 'write the output to this file instead of stdout')
    .action(async (paths: string[], opts: IisCliOptions) => {
      const { iisCommand } = await import('../iis.js');
      await iisCommand(paths, opts);
    });
}
