/** Writing generated data to disk without holding its text in memory. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { inventoryConfigYaml, snapshotJsonChunks, type GenerateSpec } from './generate.js';

export async function writeSnapshotFile(file: string, spec: GenerateSpec): Promise<void> {
  const stream = createWriteStream(file);
  for (const chunk of snapshotJsonChunks(spec)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

export async function writeInventoryFile(file: string, spec: GenerateSpec): Promise<void> {
  await writeFile(file, inventoryConfigYaml(spec));
}
