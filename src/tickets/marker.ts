/**
 * The machine-readable marker every ticket carries: the group key, the digest of what was reported,
 * and the scope needed to decide later whether an audit may close it. Its alphabet is letters, digits,
 * `.` and `%XX` escapes plus its own separators, so it survives every target markup unescaped and
 * hostile values inside it cannot form markup. Readers take the LAST marker in a text: the marker is
 * always written after all content, so text quoted from a finding cannot shadow it.
 */
import { GROUP_BY, type GroupBy, type TicketMarker, type TicketScope } from './types.js';

const SAFE = /[^A-Za-z0-9.]/g;

export function encodeMarkerValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1').replace(SAFE, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodeMarkerValue(value: string): string {
  return decodeURIComponent(value);
}

const list = (values: readonly string[]) => values.map(encodeMarkerValue).join(',');

export function fingerprintMarker(key: string): string {
  return `spnaudit:fingerprint=${key}`;
}

export function metaMarker(marker: TicketMarker): string {
  return `spnaudit:meta=v1;g=${marker.groupBy};d=${marker.digest};r=${list(marker.scope.rules)};dom=${list(marker.scope.domains)};srv=${list(marker.scope.servers)}`;
}

function lastMatch(text: string, re: RegExp): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(re)) last = m as RegExpExecArray;
  return last;
}

export function parseFingerprint(text: string): string | null {
  return lastMatch(text, /spnaudit:fingerprint=([0-9a-f]{32})(?![0-9a-f])/g)?.[1] ?? null;
}

function parseList(value: string): string[] {
  return value === '' ? [] : value.split(',').map(decodeMarkerValue);
}

/** The marker of a ticket text, given the key its authoritative field holds; null when absent or unreadable. */
export function parseMarker(text: string, key: string): TicketMarker | null {
  const meta = lastMatch(text, /spnaudit:meta=v1;g=([a-z]+);d=([0-9a-f]{16});r=([A-Za-z0-9.%,]*);dom=([A-Za-z0-9.%,]*);srv=([A-Za-z0-9.%,]*)/g);
  if (!meta || !(GROUP_BY as readonly string[]).includes(meta[1] ?? '')) return null;
  try {
    const scope: TicketScope = { rules: parseList(meta[3] ?? ''), domains: parseList(meta[4] ?? ''), servers: parseList(meta[5] ?? '') };
    return { key, groupBy: meta[1] as GroupBy, digest: meta[2] ?? '', scope };
  } catch {
    return null;
  }
}
