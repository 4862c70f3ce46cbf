/**
 * The webhook outbox worker: sends the deliveries that item changes wrote in their own
 * transactions, at least once, with exponential backoff and full jitter.
 *
 * Runtime-neutral: it gets a fetch function and a clock, so it runs in the Node process (started by
 * src/entry/node.ts when OUTBOX_WORKER=true), from a Workers cron trigger (`runOnce`), and in tests
 * with a receiver that fails on purpose and a clock the test moves.
 *
 * Two instances never send the same delivery at the same moment: a delivery is claimed by a
 * conditional update (`id`, `state = pending` and the `lockedUntil` value that was read), which only
 * one of them can win; the winner holds a lease until `lockedUntil`. A worker that dies mid-send
 * loses nothing — the lease runs out and another worker sends again; receivers deduplicate by the
 * event id (`Stadtkasse-Event-Id`), which stays the same on every attempt.
 */
import type { Clock } from '../../context.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { newId } from '../shared/ids.js';
import { signWebhook } from './signature.js';
import { isTargetRefused, REFUSED_TARGET_MESSAGE, refusedTargetReason } from './targets.js';

export const OUTBOX_RETRY = Object.freeze({
  /** Cap of the first retry delay; each further failure doubles the cap… */
  baseDelayMs: 30_000,
  /** …up to six hours, so a receiver down for a weekend is tried a few times an hour at worst. */
  maxDelayMs: 6 * 3600_000,
  /** A delivery failing for three days from creation (or replay) is given up: `failed`, replayable. */
  giveUpAfterMs: 3 * 24 * 3600_000,
});

export interface OutboxWorkerOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  /**
   * Sends the requests. On Node, src/entry/node.ts injects nodeTargets.ts' fetch, which refuses to
   * connect to internal addresses whatever a name resolves to at that moment.
   */
  fetch?: typeof fetch;
  /** Receivers on loopback, link-local and private addresses are allowed (WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks?: boolean;
  /** [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
  /** Deliveries claimed per round. */
  batchSize?: number;
  /** How long a claim holds; longer than timeoutMs so a slow receiver does not get a second sender. */
  leaseMs?: number;
  /** Per request. */
  timeoutMs?: number;
  /** Pause between rounds when running with start(). */
  intervalMs?: number;
}

export interface OutboxRound {
  attempted: number;
  delivered: number;
  retrying: number;
  failed: number;
}

export interface OutboxWorker {
  /** One round: claim due deliveries and send them. */
  runOnce(): Promise<OutboxRound>;
  /** Rounds every intervalMs until stop(). */
  start(): void;
  /** Stops after the current round has finished. */
  stop(): Promise<void>;
}

/** Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, cap). */
export function retryDelayMs(failedAttempts: number, random: () => number): number {
  const cap = Math.min(OUTBOX_RETRY.maxDelayMs, OUTBOX_RETRY.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random() * cap);
}

export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const { db, clock, log } = opts;
  const send = opts.fetch ?? fetch;
  const random = opts.random ?? Math.random;
  const batchSize = opts.batchSize ?? 20;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, timeoutMs * 2);
  const intervalMs = opts.intervalMs ?? 5_000;
  const targets = { allowPrivateNetworks: opts.allowPrivateNetworks ?? false };

  async function claim(now: Date): Promise<Array<{ id: string; lease: Date }>> {
    const due = await db.prisma.webhookDelivery.findMany({
      where: { state: 'pending', nextAttemptAt: { lte: now }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }], subscription: { active: true } },
      orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
      take: batchSize,
      select: { id: true, lockedUntil: true },
    });
    const claimed: Array<{ id: string; lease: Date }> = [];
    for (const d of due) {
      const lease = new Date(now.getTime() + leaseMs);
      const won = await db.prisma.webhookDelivery.updateMany({ where: { id: d.id, state: 'pending', lockedUntil: d.lockedUntil }, data: { lockedUntil: lease } });
      if (won.count === 1) claimed.push({ id: d.id, lease });
    }
    return claimed;
  }

  async function deliver(id: string, lease: Date): Promise<'delivered' | 'retrying' | 'failed' | 'lost'> {
    const d = await db.prisma.webhookDelivery.findUnique({ where: { id }, include: { subscription: true, event: { select: { payload: true } } } });
    if (!d) return 'lost';
    const now = clock.now();
    const body = d.event.payload;
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      // Subscriptions made before the rule, or while private networks were allowed, are refused
      // here too: the literal address and internal names (runtime-neutral; resolving is the fetch's).
      if (refusedTargetReason(new URL(d.subscription.url), targets)) throw new RefusedTarget();
      const res = await send(d.subscription.url, {
        method: 'POST',
        // A redirect is a failure: following it would send the signed event somewhere not subscribed.
        redirect: 'manual',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Stadtkasse-Webhooks/1',
          'Stadtkasse-Event-Id': d.eventId,
          'Stadtkasse-Timestamp': String(timestamp),
          'Stadtkasse-Signature': await signWebhook(d.subscription.secret, timestamp, body),
        },
        body,
      });
      statusCode = res.status;
      // The receiver's answer body is not kept: it may echo personal data.
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status > 299) error = `receiver answered HTTP ${res.status}`;
    } catch (err) {
      // A refused target reads the same whatever it was (no resolved address, port or system error),
      // so the delivery log cannot be used to probe the network behind us.
      error = err instanceof RefusedTarget || isTargetRefused(err) ? REFUSED_TARGET_MESSAGE : abort.signal.aborted ? `no answer within ${timeoutMs} ms` : `could not connect: ${describe(err)}`;
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - started);
    const attempt = d.attempts + 1;
    await db.prisma.webhookAttempt.create({ data: { id: newId(), deliveryId: id, attempt, at: now, statusCode, error, durationMs } });
    const after = clock.now();
    let outcome: 'delivered' | 'retrying' | 'failed';
    let data;
    if (error === null) {
      outcome = 'delivered';
      data = { state: 'delivered', attempts: attempt, lastStatusCode: statusCode, lastError: null, deliveredAt: after, lockedUntil: null };
    } else if (after.getTime() - d.cycleStartedAt.getTime() >= OUTBOX_RETRY.giveUpAfterMs) {
      outcome = 'failed';
      data = { state: 'failed', attempts: attempt, lastStatusCode: statusCode, lastError: error, lockedUntil: null };
    } else {
      outcome = 'retrying';
      data = { attempts: attempt, lastStatusCode: statusCode, lastError: error, nextAttemptAt: new Date(after.getTime() + retryDelayMs(attempt, random)), lockedUntil: null };
    }
    // Only while our lease holds: if it ran out and another worker took over, its result stands.
    const n = await db.prisma.webhookDelivery.updateMany({ where: { id, lockedUntil: lease }, data });
    if (n.count === 0) return 'lost';
    if (outcome !== 'delivered') log.warn({ deliveryId: id, subscriptionId: d.subscriptionId, attempt, statusCode, outcome }, 'webhook delivery failed');
    return outcome;
  }

  async function runOnce(): Promise<OutboxRound> {
    const round: OutboxRound = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    const claimed = await claim(clock.now());
    const results = await Promise.all(claimed.map((c) => deliver(c.id, c.lease)));
    for (const r of results) {
      if (r === 'lost') continue;
      round.attempted++;
      round[r]++;
    }
    return round;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  const loop = () => {
    if (stopped) return;
    running = runOnce()
      .catch((err) => log.error({ err }, 'webhook outbox round failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

class RefusedTarget extends Error {}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)).slice(0, 300);
}
