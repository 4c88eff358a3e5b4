/**
 * What a rendered command must tokenize to, derived from the data it was rendered from, and the
 * check that one script line runs exactly that.
 */
import { expect } from 'vitest';
import { cmdArgv } from '../../../src/remediate/cmd.js';
import type { PsCommand, PsValue } from '../../../src/remediate/powershell.js';
import type { RenderedCommand } from '../../../src/remediate/render.js';
import { shArgv } from '../../../src/remediate/sh.js';
import { tokenizeCmdLine, tokenizePowerShellLine, tokenizeShLine, type PsToken } from './tokenizers.js';

function psValue(v: PsValue, inHash = false): PsToken {
  switch (v.t) {
    case 'str':
      return { t: 'str', v: v.v };
    case 'bool':
      return { t: 'bool', v: v.v };
    case 'null':
      return { t: 'null' };
    case 'int':
      return { t: 'int', v: v.v };
    case 'enum':
      return v.v.length === 1 ? { t: 'bare', v: v.v[0]! } : { t: 'list', items: v.v.map((e) => ({ t: 'bare', v: e })) };
    case 'list':
      if (inHash) return { t: 'array', items: v.v.map((s) => ({ t: 'str', v: s })) };
      return v.v.length === 1 ? { t: 'str', v: v.v[0]! } : { t: 'list', items: v.v.map((s) => ({ t: 'str', v: s })) };
    case 'array':
      return { t: 'array', items: v.v.map((s) => ({ t: 'str', v: s })) };
    case 'hash':
      return { t: 'hash', entries: v.v.map(([k, x]) => [k, psValue(x, true)]) };
  }
}

export function expectedPsElements(cmd: PsCommand): PsToken[] {
  const out: PsToken[] = [];
  for (const p of cmd.params) {
    if (p.value === undefined) out.push({ t: 'param', name: p.name });
    else if (p.colon) out.push({ t: 'param', name: p.name, colonValue: psValue(p.value) });
    else out.push({ t: 'param', name: p.name }, psValue(p.value));
  }
  for (const a of cmd.args ?? []) out.push(psValue(a));
  return out;
}

/** Asserts that `line` (as written in the file) runs exactly the command `c` describes. */
export function expectLineRuns(line: string, c: RenderedCommand): void {
  const data = c.data;
  if (data.shell === 'cmd') {
    const parsed = tokenizeCmdLine(line);
    expect(parsed.kind).toBe('commands');
    if (parsed.kind !== 'commands') return;
    expect(parsed.segments[0]?.argv).toEqual(cmdArgv(data.cmd));
    // Only our own "|| goto :failed" may follow.
    const rest = parsed.segments.slice(1).map((s) => s.argv);
    expect(rest.length === 0 ? [] : [parsed.segments[0]?.op, ...rest]).toEqual(rest.length === 0 ? [] : ['||', ['goto', ':failed']]);
  } else if (data.shell === 'powershell') {
    const parsed = tokenizePowerShellLine(line);
    expect(parsed).toEqual({ kind: 'command', name: data.cmd.name, elements: expectedPsElements(data.cmd) });
  } else {
    expect(tokenizeShLine(line)).toEqual({ kind: 'command', argv: shArgv(data.argv) });
  }
}
