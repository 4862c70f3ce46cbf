/**
 * What a closing covers: one booking day, or one calendar week (Monday to Sunday) in weekly mode,
 * which Bayern allows small Kassen (KommHV-Kameralistik/Doppik). Days are calendar days in
 * Europe/Berlin, as the bank's booking dates and the cash offices' days are.
 */
import { ValidationError } from '../../errors.js';
import { cityDate, cityDayRange, isIsoDay } from '../review/dates.js';

export const CLOSING_MODES = ['day', 'week'] as const;
export type ClosingMode = (typeof CLOSING_MODES)[number];

export interface Period {
  from: string;
  to: string;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Monday = 1 … Sunday = 7. */
export function isoWeekday(day: string): number {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return wd === 0 ? 7 : wd;
}

export function periodOf(day: string, mode: ClosingMode): Period {
  if (!isIsoDay(day)) throw new ValidationError(`"${day}" is not a day (YYYY-MM-DD)`, { field: 'day' });
  if (mode === 'day') return { from: day, to: day };
  const from = addDays(day, 1 - isoWeekday(day));
  return { from, to: addDays(from, 6) };
}

/** The instants [start, end) of a period in the city's time zone. */
export function periodInstants(p: Period): { start: Date; end: Date } {
  return { start: cityDayRange(p.from).from, end: cityDayRange(p.to).to };
}

export function daysOf(p: Period): string[] {
  const out: string[] = [];
  for (let d = p.from; d <= p.to && out.length < 7; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Whole days between two days (b − a). */
export function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function today(now: Date): string {
  return cityDate(now);
}
