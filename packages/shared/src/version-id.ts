/**
 * Version ids are random, not content-derived, as in Starwhale (spec §3.5): 25 random bytes in base32
 * (RFC 4648 alphabet, lower case, no padding), which is exactly 40 characters of [a-z2-7].
 * Older Starwhale ids are 31 characters, so nothing may assume a length.
 */
export const VERSION_ID_LENGTH = 40;
export const SHORT_VERSION_LENGTH = 12;
/** Shortest prefix accepted in place of a full version id (Starwhale's docs). */
export const MIN_VERSION_PREFIX = 4;

const alphabet = "abcdefghijklmnopqrstuvwxyz234567";

export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

export function generateVersionId(): string {
  return encodeBase32(crypto.getRandomValues(new Uint8Array(25)));
}

/** Could this string be a version id or a prefix of one? (Any length: old ids are shorter.) */
export function looksLikeVersionId(value: string): boolean {
  return /^[a-z2-7]+$/.test(value);
}

export function shortVersion(version: string, full = false): string {
  return full ? version : version.slice(0, SHORT_VERSION_LENGTH);
}
