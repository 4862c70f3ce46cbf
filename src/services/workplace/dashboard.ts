/**
 * What the treasury sees first in the morning: today's imports, balance checks, how much was booked
 * automatically, how long the review queue is and how old, what sits in suspense, and what waits
 * for a second person; with the last 30 booking days for the chart. Read-only, a handful of
 * grouped queries (no row per payment is loaded).
 */
import { hasScope, type Ctx } from '../../context.js';
import { openPeriods, type OpenPeriod } from '../closings/closings.js';
import { cityDate, cityDayRange, daysSince } from '../review/dates.js';
import { QUEUE_STATES } from '../review/states.js';
import { onlineRefundsDue } from '../online/reversals.js';

/** States of a credit that count for the automatic rate: everything but repeats and pending bookings. */
const NOT_COUNTED = ['duplicate', 'not_booked'];

export interface DashboardDay {
  day: string;
  credits: number;
  auto: number;
  /** Credits of that booking day still waiting in the review queue. */
  waiting: number;
}

export interface Dashboard {
  today: string;
  imports: Array<{ id: string; fileName: string | null; at: Date; statements: number; entries: number }>;
  balance: { ok: number; broken: number; notChecked: number; brokenStatements: Array<{ id: string; bankStatementId: string; difference: bigint; currency: string }> };
  /** Credits imported today (whatever their booking day), and how many of them were booked automatically. */
  autoToday: { auto: number; credits: number };
  queue: { size: number; oldestDay: string | null; oldestAgeDays: number | null };
  suspenseMinor: bigint;
  approvalsPending: number;
  /** Online payments PAYED for items that no longer owed it: money to refund (not bank transactions, so not in the queue). */
  onlineRefundsDue: { count: number; totalMinor: bigint };
  days: DashboardDay[];
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function getDashboard({ ctx }: { ctx: Ctx }): Promise<Dashboard> {
  const db = ctx.db.prisma;
  const now = ctx.clock.now();
  const today = cityDate(now);
  const { from, to } = cityDayRange(today);
  const first = addDays(today, -29);
  const since = cityDayRange(first).from;

  const imports = await db.statementImport.findMany({
    where: { createdAt: { gte: from, lt: to }, status: 'completed' },
    orderBy: { createdAt: 'desc' },
    take: 50,
    include: { statements: { select: { entryCount: true } } },
  });
  const checks = await db.statement.groupBy({ by: ['balanceCheck'], where: { createdAt: { gte: since } }, _count: { _all: true } });
  const count = (status: string) => checks.find((c) => c.balanceCheck === status)?._count._all ?? 0;
  const broken = await db.statement.findMany({
    where: { createdAt: { gte: since }, balanceCheck: 'broken' },
    select: { id: true, bankStatementId: true, balanceDifferenceMinor: true, currency: true },
    take: 20,
  });

  const byDay = await db.bankTransaction.groupBy({
    by: ['bookingDate', 'matchState'],
    where: { creditDebit: 'CRDT', bookingDate: { gte: first, lte: today }, matchState: { notIn: NOT_COUNTED } },
    _count: { _all: true },
  });
  const days: DashboardDay[] = [];
  for (let i = 0; i < 30; i++) days.push({ day: addDays(first, i), credits: 0, auto: 0, waiting: 0 });
  const index = new Map(days.map((d) => [d.day, d]));
  for (const g of byDay) {
    const d = g.bookingDate ? index.get(g.bookingDate) : undefined;
    if (!d) continue;
    const n = g._count._all;
    d.credits += n;
    if (g.matchState === 'auto') d.auto += n;
    if ((QUEUE_STATES as readonly string[]).includes(g.matchState)) d.waiting += n;
  }
  // "Today" is what was imported today: a morning's statement books yesterday's (or Friday's) day.
  const importedToday = await db.bankTransaction.groupBy({
    by: ['matchState'],
    where: { creditDebit: 'CRDT', createdAt: { gte: from, lt: to }, matchState: { notIn: NOT_COUNTED } },
    _count: { _all: true },
  });
  const todays = {
    credits: importedToday.reduce((s, g) => s + g._count._all, 0),
    auto: importedToday.filter((g) => g.matchState === 'auto').reduce((s, g) => s + g._count._all, 0),
  };

  const queueWhere = { matchState: { in: [...QUEUE_STATES] } };
  const size = await db.bankTransaction.count({ where: queueWhere });
  const oldest = size > 0 ? await db.bankTransaction.findFirst({ where: queueWhere, orderBy: [{ bookingDate: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }], select: { bookingDate: true, createdAt: true } }) : null;
  const oldestDay = oldest ? (oldest.bookingDate ?? cityDate(oldest.createdAt)) : null;

  const suspense = await db.suspenseMovement.aggregate({ _sum: { amountMinor: true } });
  const approvalsPending = await db.approval.count({ where: { status: 'pending' } });

  return {
    today,
    imports: imports.map((i) => ({ id: i.id, fileName: i.fileName, at: i.createdAt, statements: i.statements.length, entries: i.statements.reduce((s, x) => s + x.entryCount, 0) })),
    balance: {
      ok: count('ok'),
      broken: count('broken'),
      notChecked: count('not_checked'),
      brokenStatements: broken.map((b) => ({ id: b.id, bankStatementId: b.bankStatementId, difference: b.balanceDifferenceMinor, currency: b.currency })),
    },
    autoToday: { auto: todays.auto, credits: todays.credits },
    queue: { size, oldestDay, oldestAgeDays: oldestDay ? daysSince(oldestDay, now) : null },
    suspenseMinor: suspense._sum.amountMinor ?? 0n,
    approvalsPending,
    onlineRefundsDue: await onlineRefundsDue({ ctx }),
    days,
  };
}

/** The overview page: the figures, and the days waiting for their closing for those who may read them. */
export async function dashboardPage({ ctx }: { ctx: Ctx }): Promise<{ data: Dashboard; openClosings?: OpenPeriod[] }> {
  const data = await getDashboard({ ctx });
  return hasScope(ctx.actor, 'statements:read') ? { data, openClosings: await openPeriods({ ctx, input: { limit: 3 } }) } : { data };
}
