/**
 * Days as the Stadtkasse means them: calendar days in Europe/Berlin. A booking made at 00:30 on
 * 17 November local time belongs to the 17th even though it is 23:30 on the 16th in UTC.
 * Intl with a time zone is available on Node and Workers alike, so no time zone library is needed.
 */

export const CITY_TIME_ZONE = 'Europe/Berlin';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: CITY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function wallClock(instant: Date): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  const n = (k: string) => Number.parseInt(parts[k] ?? '0', 10);
  return { y: n('year'), m: n('month'), d: n('day'), h: n('hour'), mi: n('minute'), s: n('second') };
}

/** The local calendar day of an instant, "YYYY-MM-DD". */
export function cityDate(instant: Date): string {
  const w = wallClock(instant);
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

export function isIsoDay(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number.parseInt(m[1]!, 10), Number.parseInt(m[2]!, 10) - 1, Number.parseInt(m[3]!, 10)));
  return d.toISOString().slice(0, 10) === text;
}

/** Local midnight of a day as an instant (DST changes at 02:00/03:00, never at midnight, in Germany). */
function localMidnight(day: string): Date {
  const m = DATE.exec(day)!;
  const guess = Date.UTC(Number.parseInt(m[1]!, 10), Number.parseInt(m[2]!, 10) - 1, Number.parseInt(m[3]!, 10));
  const w = wallClock(new Date(guess));
  const offset = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - guess;
  return new Date(guess - offset);
}

/** The instants [from, to) of one local calendar day. */
export function cityDayRange(day: string): { from: Date; to: Date } {
  const m = DATE.exec(day)!;
  const next = new Date(Date.UTC(Number.parseInt(m[1]!, 10), Number.parseInt(m[2]!, 10) - 1, Number.parseInt(m[3]!, 10) + 1)).toISOString().slice(0, 10);
  return { from: localMidnight(day), to: localMidnight(next) };
}

/** Whole days from `day` to the local day of `now` (0 on the same day). */
export function daysSince(day: string, now: Date): number {
  const a = Date.parse(`${day}T00:00:00Z`);
  const b = Date.parse(`${cityDate(now)}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}
