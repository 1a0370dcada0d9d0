const PAD = 0x3d;
/**
 * Payloads are decoded here to be checked, not kept: into one buffer reused by every check, so a frame
 * costs no allocation (each one was an object for the collector, and a fresh pool slab every few
 * dozen frames). Audio frames and deltas fit; anything longer is decoded the allocating way.
 */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/**
 * Standard padded base64 (RFC 4648 section 4; the empty string included), accepting exactly what
 * `/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/` accepts: nonzero unused bits
 * in the last group are not checked. Every audio payload of both sockets passes here, and that
 * regular expression cost as much CPU as the resampler.
 */
export function isBase64(value: string): boolean {
  const length = value.length;
  if (length % 4 !== 0) return false;
  const padding = length === 0 || value.charCodeAt(length - 1) !== PAD ? 0 : value.charCodeAt(length - 2) === PAD ? 2 : 1;
  // Node's native decoder (a third of a JavaScript scan's cost) is lenient in three ways, each caught
  // here: it skips any character outside the alphabet and ends at padding, so such a character leaves
  // it short of the bytes the length promises; it reads only the low byte of a character above
  // U+00FF, which makes the UTF-8 length longer than the text; and it takes base64url's '-' and '_'.
  const decodedBytes = (length / 4) * 3 - padding;
  const written = decodedBytes <= SCRATCH.length ? SCRATCH.write(value, 'base64') : Buffer.from(value, 'base64').length;
  return (
    written === decodedBytes &&
    Buffer.byteLength(value, 'utf8') === length &&
    !value.includes('-') &&
    !value.includes('_')
  );
}
