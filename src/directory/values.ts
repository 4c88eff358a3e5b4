/**
 * Decoding of AD attribute syntaxes into the snapshot's plain JSON: SIDs and GUIDs from their
 * binary forms, FILETIME and GeneralizedTime into ISO timestamps, security descriptors into the
 * SIDs their DACL grants.
 */

/** objectSid (binary) → S-1-5-21-... */
export function sidToString(buf: Buffer): string {
  if (buf.length < 8) throw new Error('SID shorter than 8 bytes');
  const revision = buf.readUInt8(0);
  const count = buf.readUInt8(1);
  if (buf.length < 8 + 4 * count) throw new Error('SID shorter than its sub-authority count');
  const authority = buf.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(8 + 4 * i));
  return ['S', revision, authority, ...subs].join('-');
}

/** objectGUID (binary, little-endian first three fields) → lower-case canonical GUID string. */
export function guidToString(buf: Buffer): string {
  if (buf.length !== 16) throw new Error(`GUID must be 16 bytes, got ${buf.length}`);
  const hex = (b: Buffer) => b.toString('hex');
  const le = (start: number, len: number) => hex(Buffer.from(buf.subarray(start, start + len)).reverse());
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${hex(buf.subarray(8, 10))}-${hex(buf.subarray(10, 16))}`;
}

const FILETIME_EPOCH_OFFSET_MS = 11644473600000n * 10000n; // 1601-01-01 → 1970-01-01 in 100 ns ticks
const NEVER = 9223372036854775807n;

/** Interval (FILETIME, 100 ns since 1601) → ISO; 0 and 0x7FFFFFFFFFFFFFFF mean "never" → null. */
export function fileTimeToIso(value: string): string | null {
  if (!/^-?\d+$/.test(value)) throw new Error(`not an integer FILETIME: ${value}`);
  const ticks = BigInt(value);
  if (ticks <= 0n || ticks >= NEVER) return null;
  const ms = Number((ticks - FILETIME_EPOCH_OFFSET_MS) / 10000n);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString();
}

/** GeneralizedTime "20261122103000.0Z" → ISO. */
export function generalizedTimeToIso(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/.exec(value);
  if (!m) throw new Error(`not a GeneralizedTime: ${value}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString();
}

const ACCESS_ALLOWED_ACE = 0x00;
const ACCESS_ALLOWED_OBJECT_ACE = 0x05;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/**
 * SIDs granted by ACCESS_ALLOWED(_OBJECT) ACEs in the DACL of a self-relative security descriptor
 * (msDS-GroupMSAMembership, msDS-AllowedToActOnBehalfOfOtherIdentity). Deny ACEs are ignored here:
 * the rules only need "who is allowed", and these attributes carry allow ACEs in practice.
 */
export function allowedSidsFromSecurityDescriptor(sd: Buffer): string[] {
  if (sd.length < 20) throw new Error('security descriptor shorter than its header');
  const daclOffset = sd.readUInt32LE(16);
  if (daclOffset === 0) return [];
  if (daclOffset + 8 > sd.length) throw new Error('DACL offset outside the security descriptor');
  const aceCount = sd.readUInt16LE(daclOffset + 4);
  const sids: string[] = [];
  let pos = daclOffset + 8;
  for (let i = 0; i < aceCount; i++) {
    if (pos + 4 > sd.length) throw new Error('ACE header outside the security descriptor');
    const type = sd.readUInt8(pos);
    const size = sd.readUInt16LE(pos + 2);
    if (size < 8 || pos + size > sd.length) throw new Error('ACE size outside the security descriptor');
    if (type === ACCESS_ALLOWED_ACE) {
      sids.push(sidToString(sd.subarray(pos + 8, pos + size)));
    } else if (type === ACCESS_ALLOWED_OBJECT_ACE) {
      const flags = sd.readUInt32LE(pos + 8);
      let sidStart = pos + 12;
      if (flags & ACE_OBJECT_TYPE_PRESENT) sidStart += 16;
      if (flags & ACE_INHERITED_OBJECT_TYPE_PRESENT) sidStart += 16;
      sids.push(sidToString(sd.subarray(sidStart, pos + size)));
    }
    pos += size;
  }
  return sids;
}

/** DC=contoso,DC=test → contoso.test */
export function dnToDnsName(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => rdn.trim())
    .filter((rdn) => /^dc=/i.test(rdn))
    .map((rdn) => rdn.slice(3))
    .join('.')
    .toLowerCase();
}
