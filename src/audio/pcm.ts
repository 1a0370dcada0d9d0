/** PCM16 little-endian bytes as samples. Copies only when the bytes are not 2-byte aligned. */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const sampleCount = bytes.byteLength >> 1;
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, sampleCount);
  const aligned = new Uint8Array(sampleCount * 2);
  aligned.set(bytes.subarray(0, sampleCount * 2));
  return new Int16Array(aligned.buffer);
}

/** Samples as PCM16 little-endian bytes, sharing memory. */
export function pcm16ToBuffer(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}
