/**
 * Passwords and tokens come from an environment variable, a file, or an interactive prompt —
 * never from argv (visible in process lists and shell history) and never into any output.
 */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export interface SecretSource {
  env?: string | undefined;
  file?: string | undefined;
  /** What the secret is for, in messages: "LDAP password", "Redmine API key". */
  label: string;
  /** Flag names to suggest in messages. */
  flags: { env: string; file: string };
}

export async function resolveSecret(src: SecretSource, io: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream } = process): Promise<string> {
  if (src.env && src.file) throw new UsageError(`give either ${src.flags.env} or ${src.flags.file} for the ${src.label}, not both`);
  if (src.env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(src.env)) throw new UsageError(`${src.flags.env} takes the NAME of an environment variable, not a value`);
    const value = process.env[src.env];
    if (value === undefined || value === '') throw new UsageError(`environment variable ${src.env} (${src.flags.env}) is not set or empty`);
    return value;
  }
  if (src.file) {
    let text: string;
    try {
      const info = await stat(src.file);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        io.stderr.write(`spnaudit: warning: ${src.file} is readable by other users; restrict it with chmod 600\n`);
      }
      text = await readFile(src.file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${src.flags.file} ${src.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new UsageError(`${src.flags.file} ${src.file} is empty`);
    return value;
  }
  if (io.stdin.isTTY && io.stderr.isTTY) return prompt(`${src.label}: `, io);
  throw new UsageError(`no ${src.label}: use ${src.flags.env} VAR or ${src.flags.file} FILE (there is no terminal to prompt on)`);
}

async function prompt(question: string, io: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream }): Promise<string> {
  io.stderr.write(question);
  const stdin = io.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(value === '' ? new UsageError('empty password') : undefined);
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
