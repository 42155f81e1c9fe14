/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of a string, as 8 lowercase hex digits. The browser
 * sends it with an execute request so the server can refuse to run a cell whose source differs
 * from what the user saw (the server computes the same hash; both test the same vectors:
 * "" -> "811c9dc5", "a" -> "e40c292c").
 */
const encoder = new TextEncoder();

export function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
