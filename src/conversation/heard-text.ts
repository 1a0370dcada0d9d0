/**
 * The part of an assistant turn the caller heard before interrupting, cut by the share of its
 * audio that played (no word timings are available from the service). A word counts as heard
 * when its middle was reached.
 */
export function heardText(text: string, heardMs: number, totalMs: number): string {
  if (totalMs <= 0 || heardMs <= 0) return '';
  if (heardMs >= totalMs) return text;
  const cutoff = (heardMs / totalMs) * text.length;
  let end = 0;
  for (const match of text.matchAll(/\S+/g)) {
    const middle = match.index + match[0].length / 2;
    if (middle > cutoff) break;
    end = match.index + match[0].length;
  }
  return text.slice(0, end);
}
