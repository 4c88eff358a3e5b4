import type { Command } from 'commander';
import { addInputOptions, type InputCliOptions } from './options.js';

export interface ExplainCliOptions extends InputCliOptions {
  format: string;
}

export function registerExplain(program: Command): void {
  const cmd = program
    .command('explain')
    .argument('<url>', 'the URL users open, e.g. https://intranet.contoso.test/app')
    .description('For one URL: the SPN the browser requests, who holds it, which account decrypts, the verdict and the fixes')
    .option('--format <format>', 'text or json', 'text');
  addInputOptions(cmd).action(async (url: string, opts: ExplainCliOptions) => {
    const { explainCommand } = await import('../explain.js');
    await explainCommand(url, opts);
  });
}
