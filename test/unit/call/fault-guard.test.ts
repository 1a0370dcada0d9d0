import { describe, expect, it } from 'vitest';
import { FaultGuard } from '../../../src/call/fault-guard.js';

describe('FaultGuard', () => {
  it('hands a wrapped handler its arguments as they are', () => {
    const guard = new FaultGuard(() => expect.unreachable('no fault'));
    const seen: unknown[][] = [];
    guard.wrap('two', (payload: string, timestampMs: number) => seen.push([payload, timestampMs]))('AAAA', 20);
    guard.wrap('one', (name: string) => seen.push([name]))('cb:0:1');
    guard.wrap('none', () => seen.push([]))();
    expect(seen).toEqual([['AAAA', 20], ['cb:0:1'], []]);
  });

  it("turns a handler's exception into a fault of its call, named by where it happened", () => {
    const faults: { where: string; error: unknown }[] = [];
    const guard = new FaultGuard((where, error) => faults.push({ where, error }));
    const error = new Error('boom');
    const handle = guard.wrap('caller audio', (_payload: string) => {
      throw error;
    });
    expect(() => handle('AAAA')).not.toThrow();
    expect(faults).toEqual([{ where: 'caller audio', error }]);
  });

  it('reports a rejected promise of the call as its fault', async () => {
    const faults: string[] = [];
    const guard = new FaultGuard((where) => faults.push(where));
    guard.catch('stream timeout', Promise.reject(new Error('store down')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(faults).toEqual(['stream timeout']);
  });
});
