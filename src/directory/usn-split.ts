/**
 * Splitting one large search into disjoint parts that several connections to the SAME domain
 * controller can run at once. The parts are ranges of uSNCreated: every object has one and it never
 * changes on that DC (a rename or move keeps it). Objects created during the run land in the last,
 * open-ended part, and are read if that part is read after they appear, as with one search that
 * has or has not passed them yet: a snapshot is as of the moment each part was read.
 *
 * Each part after the first is written as a negation, `(!(uSNCreated<=N))`, rather than
 * `(uSNCreated>=N+1)`: an object without the attribute fails every `<=` test, so it falls into
 * the last part instead of into no part. Together the parts cover every object exactly once.
 *
 * uSNCreated is local to one DC (each DC numbers its own updates), so the parts are only
 * disjoint and complete when every connection talks to the DC whose highestCommittedUSN they
 * were cut from; the collector checks that before it uses a second connection.
 */

/** One part: objects with `above < uSNCreated <= upTo`; null means no bound on that side. */
export interface UsnRange {
  above: number | null;
  upTo: number | null;
}

/**
 * `parts` ranges covering every uSNCreated up to `highest` evenly, the last one open-ended.
 * A directory with no USNs yet (highest < parts) still gets one open range and nothing is lost.
 */
export function usnRanges(highest: number, parts: number): UsnRange[] {
  if (!Number.isSafeInteger(highest) || highest < 0) throw new Error(`highestCommittedUSN ${highest} is not a USN`);
  const count = Math.max(1, Math.min(Math.floor(parts), highest));
  const ranges: UsnRange[] = [];
  let above: number | null = null;
  for (let i = 1; i < count; i += 1) {
    const upTo = Math.floor((highest * i) / count);
    ranges.push({ above, upTo });
    above = upTo;
  }
  ranges.push({ above, upTo: null });
  return ranges;
}

/** `filter` restricted to one range, in the negation form the header explains. */
export function rangeFilter(filter: string, attribute: string, range: UsnRange): string {
  const terms: string[] = [];
  if (range.above !== null) terms.push(`(!(${attribute}<=${range.above}))`);
  if (range.upTo !== null) terms.push(`(${attribute}<=${range.upTo})`);
  return terms.length === 0 ? filter : `(&${filter}${terms.join('')})`;
}

/** The range for error locations, e.g. `uSNCreated >3000 <=3750`: which part of a split search failed. */
export function describeRange(attribute: string, range: UsnRange): string {
  const bounds: string[] = [];
  if (range.above !== null) bounds.push(`>${range.above}`);
  if (range.upTo !== null) bounds.push(`<=${range.upTo}`);
  return `${attribute} ${bounds.join(' ')}`;
}

/** How AD and Samba evaluate a range for one object: a missing attribute fails `<=`, and NOT turns that into a match. */
export function inRange(usn: number | null, range: UsnRange): boolean {
  const atMost = (n: number): boolean => usn !== null && usn <= n;
  return (range.above === null || !atMost(range.above)) && (range.upTo === null || atMost(range.upTo));
}
