import { ToolError, type Tool } from '../tool.js';

/*
 * The worked example of a code tool: no network, a fixed schedule, one optional argument. Copy it,
 * change the handler, and add the copy to CODE_TOOLS.
 */

/** The business's own clock: callers phone from anywhere, the doors open on local time. */
const TIME_ZONE = 'America/New_York';
const OPENS_AT_MINUTES = 9 * 60;
const CLOSES_AT_MINUTES = 17 * 60;
const OPEN_DAYS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
const WEEKDAYS = new Set([...OPEN_DAYS, 'saturday', 'sunday']);

const clock = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export const checkBusinessHours: Tool = {
  name: 'check_business_hours',
  description: 'Tell whether the business is open now, or its hours on a given weekday.',
  parameters: {
    type: 'object',
    properties: { day: { type: 'string', description: 'weekday, e.g. monday; default today' } },
    additionalProperties: false,
  },
  async handler(args) {
    const now = localNow();
    const day = typeof args.day === 'string' ? args.day.trim().toLowerCase() : now.day;
    if (!WEEKDAYS.has(day)) throw new ToolError(`"${day}" is not a weekday; say one such as monday`);
    const hours = OPEN_DAYS.has(day) ? `${hhmm(OPENS_AT_MINUTES)}-${hhmm(CLOSES_AT_MINUTES)}` : 'closed';
    if (day !== now.day) return { day, hours, timeZone: TIME_ZONE };
    const openNow = OPEN_DAYS.has(day) && now.minutes >= OPENS_AT_MINUTES && now.minutes < CLOSES_AT_MINUTES;
    return { day, today: true, openNow, hours, localTime: hhmm(now.minutes), timeZone: TIME_ZONE };
  },
};

function localNow(): { day: string; minutes: number } {
  const parts = Object.fromEntries(clock.formatToParts(new Date()).map((part) => [part.type, part.value]));
  return { day: String(parts.weekday).toLowerCase(), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
