import { describe, expect, it } from 'vitest';
import { PlaybackTracker } from '../../../src/call/playback-tracker.js';

describe('PlaybackTracker', () => {
  it('names every mark uniquely by generation, sequence, item and offset', () => {
    const tracker = new PlaybackTracker();
    const first = tracker.recordSent('item_a', 100, 0);
    const second = tracker.recordSent('item_a', 100, 0);
    expect(first).toBe('cb:0:1:item_a:100');
    expect(second).toBe('cb:0:2:item_a:200');
  });

  it('counts ms sent and ms confirmed per item from mark echoes', () => {
    const tracker = new PlaybackTracker();
    const marks = [tracker.recordSent('a', 100, 0), tracker.recordSent('a', 100, 0), tracker.recordSent('b', 50, 0)];
    expect(tracker.sentMs('a')).toBe(200);
    expect(tracker.sentMs('b')).toBe(50);
    expect(tracker.onMark(marks[0]!, 100)).toEqual({ kind: 'played', itemId: 'a', playedMs: 100, idle: false });
    expect(tracker.onMark(marks[2]!, 250)).toEqual({ kind: 'played', itemId: 'b', playedMs: 50, idle: true });
    expect(tracker.hasPendingAudio).toBe(false);
  });

  it('interpolates the heard position with wall-clock time since the last echo, capped at what was sent', () => {
    const tracker = new PlaybackTracker();
    const marks = [tracker.recordSent('a', 200, 1000), tracker.recordSent('a', 200, 1000)];
    expect(tracker.heardMs('a', 1000)).toBe(0);
    expect(tracker.heardMs('a', 1150)).toBe(150);
    tracker.onMark(marks[0]!, 1230); // Twilio played 200 ms by 1230 (a late echo): the anchor moves.
    expect(tracker.heardMs('a', 1230)).toBe(200);
    expect(tracker.heardMs('a', 1300)).toBe(270);
    expect(tracker.heardMs('a', 9999)).toBe(400);
  });

  it('restarts the clock when audio is sent to an idle buffer', () => {
    const tracker = new PlaybackTracker();
    tracker.onMark(tracker.recordSent('a', 100, 0), 100);
    tracker.recordSent('b', 300, 5000);
    expect(tracker.heardMs('b', 5000)).toBe(0);
    expect(tracker.heardMs('b', 5120)).toBe(120);
  });

  it('places a queued item after the one playing: heard 0 until the playhead reaches it', () => {
    const tracker = new PlaybackTracker();
    tracker.recordSent('a', 300, 0);
    tracker.recordSent('b', 300, 10);
    expect(tracker.heardMs('b', 200)).toBe(0);
    expect(tracker.heardMs('a', 200)).toBe(200);
    expect(tracker.heardMs('b', 350)).toBe(50);
    expect(tracker.pendingItemIds()).toEqual(['a', 'b']);
  });

  it('ignores echoes of marks that were pending when the buffer was cleared', () => {
    const tracker = new PlaybackTracker();
    const before = [tracker.recordSent('a', 100, 0), tracker.recordSent('a', 100, 0)];
    tracker.clear(50);
    expect(tracker.generation).toBe(1);
    expect(tracker.hasPendingAudio).toBe(false);
    // Twilio echoes every pending mark on clear: those say nothing about playback.
    expect(tracker.onMark(before[0]!, 50)).toEqual({ kind: 'stale' });
    expect(tracker.onMark(before[1]!, 50)).toEqual({ kind: 'stale' });
    // Only what played before the clear was delivered.
    expect(tracker.sentMs('a')).toBe(50);
    expect(tracker.heardMs('a', 500)).toBe(50);
    const after = tracker.recordSent('c', 100, 60);
    expect(after.startsWith('cb:1:')).toBe(true);
    expect(tracker.onMark(after, 160)).toMatchObject({ kind: 'played', itemId: 'c' });
  });

  it('reports marks that are not ours as unknown', () => {
    const tracker = new PlaybackTracker();
    expect(tracker.onMark('someone-else', 0)).toEqual({ kind: 'unknown' });
    expect(tracker.onMark('cb:0:9:x:100', 0)).toEqual({ kind: 'unknown' });
  });

  it('confirms every earlier segment when a later mark echoes (Twilio plays in order)', () => {
    const tracker = new PlaybackTracker();
    tracker.recordSent('a', 100, 0);
    const second = tracker.recordSent('a', 100, 0);
    tracker.recordSent('a', 100, 0);
    expect(tracker.onMark(second, 200)).toEqual({ kind: 'played', itemId: 'a', playedMs: 200, idle: false });
    expect(tracker.heardMs('a', 250)).toBe(250);
  });

  it('forgets an item only once nothing of it is pending', () => {
    const tracker = new PlaybackTracker();
    const mark = tracker.recordSent('a', 100, 0);
    tracker.forget('a');
    expect(tracker.sentMs('a')).toBe(100);
    tracker.onMark(mark, 100);
    tracker.forget('a');
    expect(tracker.sentMs('a')).toBe(0);
  });
});
