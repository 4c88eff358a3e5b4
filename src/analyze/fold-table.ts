/**
 * A set of strings compared the way spnKey compares them (`toLowerCase()` equality), kept in typed
 * arrays: it interns the first spelling seen and numbers it. It replaces a Map<lower-cased string, …>
 * for the SPN index, which on a million accounts held three million lower-cased copies of the
 * SPNs plus a Map entry each (≈ 500 MB and seconds of garbage collection). Here the only strings
 * are the ones the snapshot already holds, and lookups lower-case nothing on the ASCII fast path.
 */

/** FNV-1a over the lower-cased string; ASCII folds in place, anything else hashes `toLowerCase()`. */
export function foldHash(value: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < value.length; i += 1) {
    let c = value.charCodeAt(i);
    if (c >= 0x80) return lowerHash(value.toLowerCase());
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}

function lowerHash(lower: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < lower.length; i += 1) h = Math.imul(h ^ lower.charCodeAt(i), 0x01000193);
  return h;
}

/** `a.toLowerCase() === b.toLowerCase()` without building either on the ASCII path. */
export function foldEquals(a: string, b: string): boolean {
  if (a === b) return true;
  // Lower-casing can change the length of non-ASCII text (U+0130 becomes two code units).
  if (a.length !== b.length) return a.toLowerCase() === b.toLowerCase();
  for (let i = 0; i < a.length; i += 1) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x80 || y >= 0x80) return a.toLowerCase() === b.toLowerCase();
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

export class FoldTable {
  /**
   * The first spelling stored for each id, in a list made at its expected size up front: grown by
   * push, a list of 3M names leaves about twice its size behind as garbage (measured: 92 MB
   * allocated for 34 MB kept), which on a million accounts is part of the audit's peak memory.
   */
  private names: string[];
  private count = 0;
  /**
   * Open addressing, linear probing, load kept under three quarters (a smaller table misses the
   * caches and TLB less: 3M inserts took 0.75 s into 8M slots, 0.30 s into 4M). Two int32 per
   * slot, id + 1 (0 = free) and the key's hash, side by side: a probe touches one cache line, and
   * the spelling (another memory access) is compared only when the hashes agree.
   */
  private slots: Int32Array<ArrayBuffer>;

  /** `expected`: how many keys to make room for up front (no rehash until then). */
  constructor(expected = 512) {
    let capacity = 1024;
    while (capacity * 3 < expected * 4) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.names = expected > 512 ? new Array<string>(expected).fill('') : [];
  }

  get size(): number {
    return this.count;
  }

  /** The first spelling stored for an id. */
  spelling(id: number): string {
    return this.names[id]!;
  }

  /** Every stored spelling, in id order. */
  get spellings(): readonly string[] {
    if (this.names.length !== this.count) this.names.length = this.count;
    return this.names;
  }

  /** The id of the value's key, or -1 when it is not in the table. */
  find(value: string): number {
    const hash = foldHash(value);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = slots[slot * 2]! - 1;
      if (id < 0) return -1;
      if (slots[slot * 2 + 1] === hash && foldEquals(this.names[id]!, value)) return id;
    }
  }

  /** The id of the value's key, adding the value (as the key's spelling) when the key is new. */
  intern(value: string): number {
    return this.internHashed(value, foldHash(value));
  }

  /**
   * intern() with foldHash(value) from the caller. Bulk loads hash every value in one pass and
   * insert in a second: the insert loop then waits on several table cache misses at once instead
   * of one after each hash (measured: 3M SPNs 0.68 s in one loop, 0.36 s in two).
   */
  internHashed(value: string, hash: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const id = slots[slot * 2]! - 1;
      if (id < 0) break;
      if (slots[slot * 2 + 1] === hash && foldEquals(this.names[id]!, value)) return id;
    }
    const id = this.count++;
    if (id < this.names.length) this.names[id] = value;
    else this.names.push(value);
    slots[slot * 2] = id + 1;
    slots[slot * 2 + 1] = hash;
    // slots.length is twice the capacity: grow past a load of 3/4.
    if ((id + 1) * 8 > slots.length * 3) this.rehash(slots.length);
    return id;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const slots = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0) continue;
      const hash = old[i + 1]!;
      let slot = hash & mask;
      while (slots[slot * 2] !== 0) slot = (slot + 1) & mask;
      slots[slot * 2] = old[i]!;
      slots[slot * 2 + 1] = hash;
    }
    this.slots = slots;
  }
}
