/**
 * The matcher's in-memory index of open items, kept by each running process and brought up to date
 * from the database before every matching run (items changed since the last look, by `updatedAt`).
 * Lookups cost the same with a thousand or a million items; refreshing costs what has changed.
 */
import type { Database } from '../../db/database.js';
import { systemClock, type Clock } from '../../context.js';
import { buildItemIndex, type ItemIndex } from '../../matching/index.js';
import { itemFromRow } from '../../matching/adapt.js';
import type { MatchConfig } from '../../matching/config.js';
import type { MatchableItem } from '../../matching/types.js';

/** Rows read per query while loading. */
const LOAD_PAGE = 10_000;
/**
 * Items are re-read from slightly before the last watermark: another instance's transaction may
 * commit a change stamped a moment before our last read finished (clock skew, long transactions).
 * Upserting an unchanged item is harmless.
 */
// Longer than the longest booking transaction (BOOKING_TIMEOUT_MS, 60 s): an item change stamped at
// the start of another instance's transaction becomes visible only at its commit.
const WATERMARK_OVERLAP_MS = 120_000;

type ItemRow = {
  id: string;
  version: number;
  kassenzeichen: string;
  amountMinor: bigint;
  paidMinor: bigint;
  currency: string;
  debtorName: string;
  debtorIban: string | null;
  category: string;
  description: string;
  dueDate: string;
  status: string;
  updatedAt: Date;
  kassenzeichenAsIssued: string | null;
};

const SELECT = { id: true, version: true, kassenzeichen: true, amountMinor: true, paidMinor: true, currency: true, debtorName: true, debtorIban: true, category: true, description: true, dueDate: true, status: true, updatedAt: true, kassenzeichenAsIssued: true } as const;

export function matchableItem(row: Omit<ItemRow, 'updatedAt' | 'version'>): MatchableItem {
  const open = row.amountMinor - row.paidMinor;
  return itemFromRow({
    id: row.id,
    kassenzeichen: row.kassenzeichen,
    openMinor: open > 0n ? open : 0n,
    amountMinor: row.amountMinor,
    currency: row.currency,
    debtorName: row.debtorName,
    debtorIban: row.debtorIban,
    category: row.category,
    description: row.description,
    dueDate: row.dueDate,
    status: row.status,
    kassenzeichenAsIssued: row.kassenzeichenAsIssued,
  });
}

export class MatchingIndex {
  private index: ItemIndex | undefined;
  private watermark: Date | undefined;
  private refreshing: Promise<ItemIndex> | undefined;
  /** Version of each indexed item: a row seen again unchanged (the watermark overlap) is skipped. */
  private readonly versions = new Map<string, number>();

  constructor(private readonly config: MatchConfig) {}

  /** The index, brought up to date with the database. Concurrent callers share one refresh. */
  async current(db: Database, clock: Clock = systemClock): Promise<ItemIndex> {
    this.refreshing ??= this.refresh(db, clock).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The version of an item as the index holds it (what a decision was based on). */
  versionOf(id: string): number | undefined {
    return this.versions.get(id);
  }

  /** Applies changes this process made itself, without a round trip (the next refresh confirms). */
  upsertRows(rows: Array<Omit<ItemRow, 'updatedAt'>>): void {
    if (!this.index) return;
    for (const r of rows) {
      if (this.versions.get(r.id) === r.version) continue;
      this.versions.set(r.id, r.version);
      if (r.status === 'cancelled') this.index.remove(r.id);
      else this.index.upsert(matchableItem(r));
    }
  }

  private async refresh(db: Database, clock: Clock): Promise<ItemIndex> {
    // The items' updatedAt comes from the same clock the services use, so the watermark must too.
    const started = clock.now();
    if (!this.index) {
      const items: MatchableItem[] = [];
      let cursor: string | undefined;
      for (;;) {
        const rows: ItemRow[] = await db.prisma.openItem.findMany({
          where: { status: { not: 'cancelled' } },
          select: SELECT,
          // The matcher ranks equal claims of one payer oldest first (insertion order), so load
          // them in the order they were raised.
          orderBy: [{ createdAt: 'asc' }, { listPosition: 'asc' }, { id: 'asc' }],
          take: LOAD_PAGE,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
        for (const r of rows) {
          items.push(matchableItem(r));
          this.versions.set(r.id, r.version);
        }
        if (rows.length < LOAD_PAGE) break;
        cursor = rows[rows.length - 1]!.id;
      }
      this.index = buildItemIndex(items, this.config);
      this.watermark = new Date(started.getTime() - WATERMARK_OVERLAP_MS);
      return this.index;
    }
    const since = this.watermark!;
    let cursor: string | undefined;
    for (;;) {
      const rows: ItemRow[] = await db.prisma.openItem.findMany({
        where: { updatedAt: { gte: since } },
        select: SELECT,
        orderBy: { id: 'asc' },
        take: LOAD_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      this.upsertRows(rows);
      if (rows.length < LOAD_PAGE) break;
      cursor = rows[rows.length - 1]!.id;
    }
    this.watermark = new Date(started.getTime() - WATERMARK_OVERLAP_MS);
    return this.index;
  }
}
