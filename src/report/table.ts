/**
 * The terminal report (default format). Findings grouped by severity in cli-table3 tables, then the
 * fix commands, then what was not checked. Colors only when the caller asks (it knows about the TTY
 * and --no-color); every value passes termText so nothing reaches the terminal as a control sequence.
 */
import Table from 'cli-table3';
import type { Severity } from '../model/finding.js';
import { SEVERITIES, incompleteBanner, isSuppressed, sortFindings, statusLabel, subjectLabel, subjectParts, summaryLine } from './common.js';
import { termText } from './escape.js';
import type { RenderOptions, ReportAudit, ReportFinding } from './types.js';

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  inverseRed: '\u001b[1;41;97m',
};

const SEVERITY_COLOR: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan };

type Paint = (text: string, style: string) => string;

function painter(color: boolean): Paint {
  return color ? (text, style) => `${style}${text}${ANSI.reset}` : (text) => text;
}

/**
 * Wrap a cell ourselves, to lines of at most `width` terminal columns, the way cli-table3 wraps
 * (greedy, on spaces, long words broken), so that cli-table3 never has to: it truncates a word wider
 * than its column with an ellipsis, and does not count a line's leading spaces (then truncates the
 * drawn line) — an audit must never hide part of an SPN. Input is already termText'd (no control
 * characters); widths are terminal columns (fullwidth characters take two).
 */
export function hardWrap(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(/( +)/);
    let current = '';
    let currentWidth = 0;
    const flush = () => {
      out.push(current);
      current = '';
      currentWidth = 0;
    };
    for (let i = 0; i < parts.length; i += 2) {
      const word = parts[i]!;
      const space = i === 0 ? '' : parts[i - 1]!;
      const wordWidth = displayWidth(word);
      if (current !== '' || (i === 2 && parts[0] === '')) {
        // Spaces count where they are drawn: between words, and leading the line.
        if (currentWidth + space.length + wordWidth <= width) {
          current += space + word;
          currentWidth += space.length + wordWidth;
          continue;
        }
        if (current !== '') flush();
      }
      if (wordWidth <= width) {
        current = word;
        currentWidth = wordWidth;
        continue;
      }
      for (const ch of word) {
        const w = displayWidth(ch);
        if (currentWidth + w > width && current !== '') flush();
        current += ch;
        currentWidth += w;
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

/**
 * Terminal columns of termText'd text the way cli-table3 measures it (string-width 4): East Asian
 * wide and fullwidth characters take two, combining diacritics none, everything else one. Emoji
 * sequences, which string-width measures with a large regex, count per code point here; that only
 * matters for alignment, in the tables cli-table3 cannot draw in reasonable time.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x300 && cp <= 0x36f)) continue;
    width += isFullwidth(cp) ? 2 : 1;
  }
  return width;
}

/** is-fullwidth-code-point 3 (what string-width 4 uses). */
function isFullwidth(cp: number): boolean {
  return (
    cp >= 0x1100 &&
    (cp <= 0x115f ||
      cp === 0x2329 ||
      cp === 0x232a ||
      (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) ||
      (cp >= 0x3250 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0xa4c6) ||
      (cp >= 0xa960 && cp <= 0xa97c) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe10 && cp <= 0xfe19) ||
      (cp >= 0xfe30 && cp <= 0xfe6b) ||
      (cp >= 0xff01 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1b000 && cp <= 0x1b001) ||
      (cp >= 0x1f200 && cp <= 0x1f251) ||
      (cp >= 0x20000 && cp <= 0x3fffd))
  );
}

const PRINTABLE_ASCII = /^[\x20-\x7e\n]*$/;
/** The SGR sequences painter() writes. */
const SGR = /\u001b\[[0-9;]*m/g;

const visibleLength = (text: string): number => (text.includes('\u001b') ? text.replace(SGR, '').length : text.length);

/**
 * cli-table3's word wrap (utils.multiLineWordWrap with wrapOnWordBoundary) for text whose display
 * width is its length without SGR codes.
 */
export function wrapLikeCliTable(text: string, width: number, length: (word: string) => number = visibleLength): string[] {
  const out: string[] = [];
  for (const input of text.split('\n')) {
    const split = input.split(/(\s+)/g);
    let line: string[] = [];
    let lineLength = 0;
    let whitespace: string | undefined;
    for (let i = 0; i < split.length; i += 2) {
      const word = split[i]!;
      let newLength = lineLength + length(word);
      if (lineLength > 0 && whitespace) newLength += whitespace.length;
      if (newLength > width) {
        if (lineLength !== 0) out.push(line.join(''));
        line = [word];
        lineLength = length(word);
      } else {
        line.push(whitespace || '', word);
        lineLength = newLength;
      }
      whitespace = split[i + 1];
    }
    if (lineLength) out.push(line.join(''));
  }
  return out;
}

/**
 * Draws what cli-table3 draws for this table's options (fixed widths, word wrap, padding 1, no
 * border or head colors), for tables whose text is printable ASCII apart from single-line painted
 * cells; returns null for any other table, which cli-table3 then draws. cli-table3 measures every
 * word and, for every drawn line, chops each multi-line cell one character at a time through
 * string-width, which compiles a fresh regex per call (ansi-regex): 12 s for 2,000 findings, most
 * of a 100k-account table report.
 */
export function drawTable(head: readonly string[] | null, colWidths: readonly number[], rows: ReadonlyArray<readonly string[]>): string | null {
  return drawMeasured(head, colWidths, rows, (text) => PRINTABLE_ASCII.test(text), visibleLength);
}

/**
 * The same drawing for any termText'd text, measured with {@link displayWidth}. For tables that hold
 * a cell cli-table3 cannot draw in reasonable time: it re-measures a cell's whole content one
 * character at a time for every line it draws (a debug label it computes and throws away), so its
 * cost grows with the cube of the cell's length — one 10 kB SPN next to a non-ASCII value took minutes.
 */
export function drawTableAnyText(head: readonly string[] | null, colWidths: readonly number[], rows: ReadonlyArray<readonly string[]>): string {
  const measure = (text: string) => displayWidth(text.includes('\u001b') ? text.replace(SGR, '') : text);
  // Every cell is hard-wrapped or one painted word, so nothing is too wide: this never returns null.
  return drawMeasured(head, colWidths, rows, () => true, measure, true) ?? '';
}

/** Cells up to this size are left to cli-table3 (its output for them is the reference); larger ones are drawn here. */
export const CLI_TABLE_MAX_CELL = 1_000;

function drawMeasured(
  head: readonly string[] | null,
  colWidths: readonly number[],
  rows: ReadonlyArray<readonly string[]>,
  drawable: (plain: string) => boolean,
  length: (text: string) => number,
  force = false,
): string | null {
  const cells: string[][][] = [];
  for (const row of head ? [head, ...rows] : rows) {
    const drawn: string[][] = [];
    for (let x = 0; x < colWidths.length; x += 1) {
      const text = row[x] ?? '';
      const inner = colWidths[x]! - 2;
      const painted = text.includes('\u001b');
      if (!drawable(painted ? text.replace(SGR, '') : text)) return null;
      if (!force && painted && (text.includes('\n') || length(text) > inner)) return null;
      const lines = wrapLikeCliTable(text, inner, length);
      if (!force && lines.some((l) => length(l) > inner)) return null; // cli-table3 would truncate
      drawn.push(lines);
    }
    cells.push(drawn);
  }
  if (cells.length === 0) return '';
  const rule = (left: string, mid: string, right: string) => `${left}${colWidths.map((w) => '─'.repeat(w)).join(mid)}${right}`;
  const out: string[] = [rule('┌', '┬', '┐')];
  cells.forEach((row, y) => {
    if (y > 0) out.push(rule('├', '┼', '┤'));
    const height = Math.max(1, ...row.map((lines) => lines.length));
    for (let n = 0; n < height; n += 1) {
      let line = '│';
      row.forEach((lines, x) => {
        const text = lines[n] ?? '';
        line += ` ${text}${' '.repeat(Math.max(0, colWidths[x]! - 2 - length(text)))} │`;
      });
      out.push(line);
    }
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

export function findingsTable(findings: readonly ReportFinding[], width: number, paint: Paint, withStatus: boolean, suppressed: boolean): string {
  const head = [...(withStatus ? ['status'] : []), 'severity', 'rule', 'subject', suppressed ? 'reason' : 'message'];
  const statusWidth = withStatus ? 12 : 0;
  const severityWidth = 10;
  const borders = head.length + 1;
  // What is left after the fixed columns is shared: rule ids get up to 30%, then subject 40% / message 60%.
  const available = Math.max(48, width - borders - statusWidth - severityWidth);
  const longestRule = Math.max(6, ...findings.map((f) => [...termText(f.ruleId)].length)) + 2;
  const ruleWidth = Math.min(longestRule, Math.floor(available * 0.3));
  const subjectWidth = Math.floor((available - ruleWidth) * 0.4);
  const messageWidth = available - ruleWidth - subjectWidth;
  const colWidths = [...(withStatus ? [statusWidth] : []), severityWidth, ruleWidth, subjectWidth, messageWidth];
  const rows: string[][] = [];
  for (const f of findings) {
    const status = statusLabel(f);
    const text = suppressed && f.suppression ? `${f.suppression.reason} (${f.suppression.source}${f.suppression.expires ? `, expires ${f.suppression.expires}` : ''})` : f.message;
    rows.push([
      ...(withStatus ? [status === 'new' ? paint('NEW', ANSI.bold) : termText(status)] : []),
      paint(f.severity, SEVERITY_COLOR[f.severity]),
      hardWrap(termText(f.ruleId), ruleWidth - 2),
      hardWrap(subjectParts(f.subject).map(([field, value]) => `${field} ${termText(value)}`).join('\n') || '(no subject)', subjectWidth - 2),
      hardWrap(termText(text), messageWidth - 2),
    ]);
  }
  const fast = drawTable(head, colWidths, rows);
  if (fast !== null) return fast;
  const small = rows.every((row) => row.every((cell) => cell.length <= CLI_TABLE_MAX_CELL));
  return small ? cliTable(head, colWidths, rows) : drawTableAnyText(head, colWidths, rows);
}

/** The same table drawn by cli-table3 (any text: wide characters, emoji, combining marks). */
export function cliTable(head: readonly string[] | null, colWidths: readonly number[], rows: ReadonlyArray<readonly string[]>): string {
  const table = new Table({
    ...(head ? { head: [...head] } : {}),
    colWidths: [...colWidths],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], compact: false },
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

export function renderTable(result: ReportAudit, opts: RenderOptions = {}): string {
  const paint = painter(opts.color === true);
  const summary = termText(summaryLine(result));
  const summaryPainted = result.scope.complete ? paint(summary, ANSI.bold) : paint(summary, ANSI.inverseRed);
  if (opts.quiet) return `${summaryPainted}\n`;

  const width = opts.width ?? 120;
  const withStatus = result.baseline !== undefined;
  const findings = sortFindings(result.findings);
  const lines: string[] = [];
  if (!result.scope.complete) {
    lines.push(paint(`!!! ${termText(incompleteBanner(result))} !!!`, ANSI.inverseRed));
    for (const e of result.scope.errors) lines.push(paint(`  ${termText(e.where)}: ${termText(e.message)}`, ANSI.red));
  }
  lines.push(summaryPainted);
  lines.push(termText(`scope: domains ${result.scope.domains.join(', ') || '(none)'}; servers ${result.scope.servers.join(', ') || '(none)'}`));

  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity && !isSuppressed(f));
    if (group.length === 0) continue;
    lines.push('', paint(`${severity.toUpperCase()} (${group.length})`, SEVERITY_COLOR[severity] + ANSI.bold));
    lines.push(findingsTable(group, width, paint, withStatus, false));
  }
  const suppressed = findings.filter(isSuppressed);
  if (suppressed.length > 0) {
    lines.push('', paint(`SUPPRESSED (${suppressed.length}): shown, not counted`, ANSI.dim));
    lines.push(findingsTable(suppressed, width, paint, withStatus, true));
  }
  if (findings.length === 0) lines.push('', 'No findings.');

  const withFixes = findings.filter((f) => !isSuppressed(f) && f.fixes.length > 0);
  if (withFixes.length > 0) {
    lines.push('', paint('FIXES', ANSI.bold));
    for (const f of withFixes) {
      lines.push(`  [${termText(f.ruleId)}] ${termText(subjectLabel(f.subject))}`);
      for (const fix of f.fixes) {
        lines.push(`    ${termText(fix.command)}`);
        if (fix.note) lines.push(paint(`      # ${termText(fix.note)}`, ANSI.dim));
      }
    }
  }
  if (result.baseline) {
    const b = result.baseline;
    lines.push('', paint(`BASELINE ${termText(b.generatedAt)}: ${b.newCount} new, ${b.unchangedCount} unchanged, ${b.resolved.length} resolved, ${b.notChecked.length} not checked`, ANSI.bold));
    for (const f of b.resolved) lines.push(`  resolved     [${termText(f.ruleId)}] ${termText(subjectLabel(f.subject))}`);
    for (const n of b.notChecked) lines.push(`  not checked  [${termText(n.finding.ruleId)}] ${termText(subjectLabel(n.finding.subject))}: ${termText(n.reason)}`);
  }
  if (result.scope.skipped.length > 0) {
    lines.push('', paint('NOT CHECKED', ANSI.bold));
    for (const s of result.scope.skipped) lines.push(`  ${termText(s.ruleId)}: ${termText(s.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}
