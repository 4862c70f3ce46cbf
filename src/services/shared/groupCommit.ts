/**
 * Group commit: writes that callers start at about the same moment are stored together, in one
 * database transaction, while each caller still gets its own answer.
 *
 * Why: a transaction has a fixed price that does not depend on how much it writes (on SQLite the
 * turn at the file's one writer, BEGIN and COMMIT through Prisma's interactive transaction; on
 * PostgreSQL the round trips of BEGIN and COMMIT and the WAL flush). Measured on `POST /v1/items`
 * with 10 connections, that price was most of an item's time. Nothing waits for a timer: a group is
 * written at the end of the event loop's current turn, so it holds every job the requests read in
 * that turn started (a lone caller waits one turn, microseconds), and whatever arrives while it is
 * being written goes in the next group. Writing at once instead, measured: every group held one
 * item, because the thread was busy with the other requests rather than waiting for the writer.
 *
 * `write` answers one outcome per job, in order; a job's own refusal (a conflict) is its outcome,
 * not a failure of the group. When the group as a whole fails, every job is written again alone,
 * so that one job's failure never becomes another's.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  job: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private draining = false;

  constructor(
    private readonly write: (jobs: T[]) => Promise<Array<Outcome<R>>>,
    /** At most this many jobs in one transaction, so one group never holds the writer for long. */
    private readonly maxJobs: number,
  ) {}

  submit(job: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Not at once: first let the event loop take in what else has arrived (the requests read
        // from the sockets in this turn get as far as here before the turn ends).
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxJobs);
        const outcomes = await this.writeGroup(group.map((w) => w.job));
        group.forEach((w, i) => {
          const o = outcomes[i]!;
          if (o.ok) w.resolve(o.value);
          else w.reject(o.error);
        });
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeGroup(jobs: T[]): Promise<Array<Outcome<R>>> {
    try {
      const outcomes = await this.write(jobs);
      if (outcomes.length !== jobs.length) throw new Error(`group commit: ${outcomes.length} outcomes for ${jobs.length} jobs`);
      return outcomes;
    } catch (error) {
      if (jobs.length === 1) return [{ ok: false, error }];
      // Nothing of the group was stored (one transaction): each job again on its own.
      const alone: Array<Outcome<R>> = [];
      for (const job of jobs) alone.push(...(await this.writeGroup([job])));
      return alone;
    }
  }
}
