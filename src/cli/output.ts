import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Write a report/plan file, creating its folder; stdout when file is '-' or undefined. */
export async function writeOutput(file: string | undefined, text: string): Promise<void> {
  if (!file || file === '-') {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, text);
}

/** Colors only on a terminal, never with --no-color or NO_COLOR set. */
export function useColor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  return flag !== false && !process.env.NO_COLOR && stream.isTTY === true;
}
