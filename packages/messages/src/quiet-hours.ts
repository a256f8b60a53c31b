import type { QuietHours } from '@herald/contracts';

const MINUTES_PER_DAY = 24 * 60;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface LocalTime {
  weekday: number;
  minuteOfDay: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters are costly to build and this runs once per marketing message: one per zone. */
function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return null;
    }
    if (formatters.size > 1000) formatters.clear();
    formatters.set(timezone, formatter);
  }
  return formatter;
}

function localTime(now: Date, timezone: string): LocalTime | null {
  const formatter = formatterFor(timezone);
  if (!formatter) return null;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(now)) parts[part.type] = part.value;
  return {
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/**
 * When `now` falls in a quiet window, the instant the window ends; otherwise null. The window is
 * read in `profileTimezone` when it is a valid IANA zone, else in the window's own zone.
 * The end is computed as an offset from `now` in local minutes, so a DST change inside the
 * window can move it by the size of the change (an hour at most).
 */
export function quietHoursEnd(
  quiet: QuietHours,
  profileTimezone: string | undefined,
  now: Date,
): Date | null {
  const local = (profileTimezone ? localTime(now, profileTimezone) : null) ?? localTime(now, quiet.timezone);
  if (!local) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const startsOn = (weekday: number): boolean =>
    !quiet.weekdays || quiet.weekdays.includes((weekday + 7) % 7);
  let minutesLeft: number | null = null;
  if (start < end) {
    if (local.minuteOfDay >= start && local.minuteOfDay < end && startsOn(local.weekday)) {
      minutesLeft = end - local.minuteOfDay;
    }
  } else if (local.minuteOfDay >= start && startsOn(local.weekday)) {
    minutesLeft = MINUTES_PER_DAY - local.minuteOfDay + end;
  } else if (local.minuteOfDay < end && startsOn(local.weekday - 1)) {
    minutesLeft = end - local.minuteOfDay;
  }
  if (minutesLeft === null) return null;
  return new Date(now.getTime() + minutesLeft * 60_000 - local.second * 1000 - now.getMilliseconds());
}
