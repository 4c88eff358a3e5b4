/**
 * Option helpers shared by the command definitions. Light on purpose: the definitions are loaded on
 * every start, their implementations only when that command runs.
 */
import type { Command } from 'commander';
import { addConnectionOptions, type ConnectionCliOptions } from '../connection-options.js';

/** Commander reducer for repeatable options. */
export function collectList(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface InputCliOptions extends ConnectionCliOptions {
  snapshot?: string;
  iis?: string[];
  saveSnapshot?: string;
}

/** The input flags of audit, explain, plan and tickets sync: a snapshot, IIS paths, or the connection flags. */
export function addInputOptions(cmd: Command): Command {
  cmd
    .option('--snapshot <file>', 'analyze a snapshot written by `spnaudit collect` instead of connecting')
    .option('--iis <path>', 'applicationHost.config file or a folder of them (repeatable)', collectList, [])
    .option('--save-snapshot <file>', 'when collecting live, also write the snapshot here');
  return addConnectionOptions(cmd);
}
