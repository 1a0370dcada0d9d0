import { describe, expect, it } from 'vitest';
import { CALL_STATUSES } from '../../../src/call-status.js';
import {
  contentText,
  contentTextList,
  describeValue,
  durationOf,
  figureLabel,
  figureValue,
  firstLine,
  formatDuration,
  formatMs,
  numberFormat,
  partyLabel,
  statusLabel,
} from '../../../public/format.js';

describe('dashboard formatting', () => {
  it('shows durations as m:ss, or h:mm:ss from an hour, and a dash when there is none', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_999)).toBe('1:01');
    expect(formatDuration(3_661_000)).toBe('1:01:01');
    expect(formatDuration(-5_000)).toBe('0:00');
    expect(formatDuration(null)).toBe('—');
  });

  it('counts a call in progress up from its start, and takes an ended one as stored', () => {
    const startedAt = '2024-05-01T09:00:00.000Z';
    expect(durationOf({ status: 'in-progress', startedAt, durationMs: null }, Date.parse(startedAt) + 42_000)).toBe(42_000);
    expect(durationOf({ status: 'completed', startedAt, durationMs: 7_000 }, Date.parse(startedAt) + 42_000)).toBe(7_000);
  });

  it('labels every status the server knows from its name', () => {
    expect(CALL_STATUSES.map(statusLabel)).toEqual(['In progress', 'Completed', 'Failed', 'Interrupted']);
  });

  it('names known figures, spells out others from camelCase, and is not fooled by Object.prototype', () => {
    expect(figureLabel('firstAudioMs')).toBe('First bot audio');
    expect(figureLabel('queueWaitMs')).toBe('Queue wait');
    expect(figureLabel('constructor')).toBe('Constructor');
    expect(figureValue('firstAudioMs', 1234)).toBe(`${numberFormat.format(1234)} ms`);
    expect(figureValue('bargeIns', 2)).toBe('2');
    expect(figureValue('firstAudioMs', null)).toBe('—');
  });

  it('rounds tool timings to whole milliseconds, below one as "<1 ms"', () => {
    expect(formatMs(0.4)).toBe('<1 ms');
    expect(formatMs(1234.4)).toBe(`${numberFormat.format(1234)} ms`);
    expect(formatMs(null)).toBe('—');
  });

  it('shows JSON on one spaced line and indented in full; text that is not a JSON object stays text', () => {
    expect(describeValue('{"orderId":"4572","items":[1,2]}')).toEqual({
      short: '{"orderId": "4572", "items": [1, 2]}',
      full: JSON.stringify({ orderId: '4572', items: [1, 2] }, null, 2),
    });
    expect(describeValue({ reason: 'refund' }).short).toBe('{"reason": "refund"}');
    expect(describeValue('{"orderId": 4572')).toEqual({ short: '{"orderId": 4572', full: '{"orderId": 4572' });
    expect(describeValue('42')).toEqual({ short: '42', full: '42' });
  });

  it('names the caller, or the number an outbound call dialled', () => {
    expect(partyLabel({ direction: 'inbound', from: '+14155550100', to: '+15005550006' })).toBe('+14155550100');
    expect(partyLabel({ direction: 'inbound', from: null, to: null })).toBe('Unknown caller');
    expect(partyLabel({ direction: 'outbound', from: '+15005550006', to: '+14155550100' })).toBe('Outbound to +14155550100');
    expect(partyLabel({ direction: 'outbound', from: null, to: null })).toBe('Outbound to an unknown number');
  });

  it('takes the first line of a summary for the list', () => {
    expect(firstLine('The caller asked about order 4572.\nIt had shipped.')).toBe('The caller asked about order 4572.');
    expect(firstLine(null)).toBe('');
  });

  it('reads summary content, which is the model’s untyped JSON, only where it holds text', () => {
    expect(contentText('refund')).toBe('refund');
    expect(contentText(42)).toBe('');
    expect(contentTextList(['call back', '', '  ', 7, 'send label'])).toEqual(['call back', 'send label']);
    expect(contentTextList('call back')).toEqual([]);
  });
});
