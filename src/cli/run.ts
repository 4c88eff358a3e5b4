import { CommanderError, type Command } from 'commander';
import { EXIT, SpnauditError, oneLine } from '../errors.js';

/**
 * Map any error to one line on stderr and a documented exit code. A stack trace is printed only
 * with SPNAUDIT_DEBUG=1, because users must never need one to understand what went wrong.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" in commander's model; they already printed their text.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT.OK;
    }
    return EXIT.USAGE;
  }
  if (process.env.SPNAUDIT_DEBUG === '1' && err instanceof Error) stderr.write(`${err.stack}\n`);
  if (err instanceof SpnauditError) {
    stderr.write(`spnaudit: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`spnaudit: internal error: ${oneLine(message)} (set SPNAUDIT_DEBUG=1 for details)\n`);
  return EXIT.USAGE;
}

/**
 * Commander echoes an unknown `--name=value` whole. People try `--password=…` (there is no such flag:
 * secrets never go on argv), and the echo would put the secret into terminal scrollback and CI logs.
 * Usage errors show the option name only.
 */
export function redactUsageError(text: string): string {
  return text.replace(/(unknown option '[^'=\s]+)=[^']*'/g, "$1=…'");
}

/** Apply {@link redactUsageError} to the usage errors of a command and all its subcommands. */
export function protectUsageOutput(cmd: Command): Command {
  cmd.configureOutput({ outputError: (text, write) => write(redactUsageError(text)) });
  for (const sub of cmd.commands) protectUsageOutput(sub);
  return cmd;
}
