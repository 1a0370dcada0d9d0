import { afterEach, describe, expect, it, vi } from 'vitest';
import { CODE_TOOLS } from '../../../src/tools/code-tools.js';
import { loadTools } from '../../../src/tools/load.js';
import { checkBusinessHours } from '../../../src/tools/examples/business-hours.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { ToolError } from '../../../src/tools/tool.js';
import { runTool } from '../../../src/tools/tool-runner.js';

const context = { callSid: 'CA1', from: undefined, to: undefined, language: undefined, signal: new AbortController().signal };
const TIME_ZONE = 'America/New_York';

/** Wednesday 2024-05-15 at the given New York time (EDT, UTC-4). */
function wednesdayAt(hhmm: string): Date {
  return new Date(`2024-05-15T${hhmm}:00-04:00`);
}

describe('check_business_hours', () => {
  afterEach(() => void vi.useRealTimers());

  it('is not offered unless a deployment registers it, and compiles when it is', () => {
    expect(CODE_TOOLS).not.toContain(checkBusinessHours);
    expect(loadTools({ file: undefined, secret: undefined }, [checkBusinessHours]).names).toEqual(['check_business_hours']);
  });

  it('is open on a weekday from 09:00 until 17:00 New York time', async () => {
    vi.useFakeTimers({ now: wednesdayAt('08:59') });
    const openNow = async () => ((await checkBusinessHours.handler({}, context)) as { openNow: boolean }).openNow;
    expect(await checkBusinessHours.handler({}, context)).toEqual({
      day: 'wednesday',
      today: true,
      openNow: false,
      hours: '09:00-17:00',
      localTime: '08:59',
      timeZone: TIME_ZONE,
    });
    vi.setSystemTime(wednesdayAt('09:00'));
    expect(await openNow()).toBe(true);
    vi.setSystemTime(wednesdayAt('16:59'));
    expect(await openNow()).toBe(true);
    vi.setSystemTime(wednesdayAt('17:00'));
    expect(await openNow()).toBe(false);
  });

  it('is closed all weekend', async () => {
    vi.useFakeTimers({ now: new Date('2024-05-18T12:00:00-04:00') });
    expect(await checkBusinessHours.handler({}, context)).toMatchObject({ day: 'saturday', today: true, openNow: false, hours: 'closed' });
  });

  it("gives another day's hours", async () => {
    vi.useFakeTimers({ now: wednesdayAt('12:00') });
    expect(await checkBusinessHours.handler({ day: 'Sunday' }, context)).toEqual({ day: 'sunday', hours: 'closed', timeZone: TIME_ZONE });
    expect(await checkBusinessHours.handler({ day: 'monday' }, context)).toEqual({ day: 'monday', hours: '09:00-17:00', timeZone: TIME_ZONE });
    expect(await checkBusinessHours.handler({ day: 'wednesday' }, context)).toMatchObject({ today: true, openNow: true });
  });

  it('tells the model when the day is not a weekday, through the runner', async () => {
    await expect(checkBusinessHours.handler({ day: 'someday' }, context)).rejects.toBeInstanceOf(ToolError);
    const run = await runTool(new ToolRegistry([checkBusinessHours]), { name: 'check_business_hours', argumentsJson: '{"day":"someday"}' }, context);
    expect(run).toMatchObject({ outcome: 'error', output: '{"error":"tool failed: \\"someday\\" is not a weekday; say one such as monday"}' });
  });
});
