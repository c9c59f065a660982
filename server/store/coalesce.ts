// Fewer store round trips under concurrency, same semantics for each caller.
// `FreshReads`: concurrent reads of one key share a query that started after
// every one of them was asked (so each sees the writes it made before asking).
// `BatchedInserts`: rows added while an insert is in flight go in one
// multi-row insert next; each caller resolves with its row's id once committed.
// `BatchedReads`: the same for keyed reads (one grouped query for many keys).
// `BatchedCalls`: the same for any call that can serve several requests at once.
export class FreshReads<K, V> {
  private readonly state = new Map<K, { current: Promise<V>; started: boolean; next?: Promise<V> }>();

  /**
   * `gather`: a read waits for the rest of the event-loop turn before it
   * starts, and callers asking meanwhile share it (for a store whose queries
   * never yield, such as SQLite, where nothing else is in flight to wait on).
   */
  constructor(private readonly gather = false) {}

  read(key: K, fn: () => Promise<V>): Promise<V> {
    const s = this.state.get(key);
    if (!s) return this.start(key, fn);
    if (!s.started) return s.current;
    // The read in flight may have started before our caller's write: wait for the next one.
    s.next ??= s.current.then(() => undefined, () => undefined).then(() => this.start(key, fn));
    return s.next;
  }

  private start(key: K, fn: () => Promise<V>): Promise<V> {
    const entry: { current: Promise<V>; started: boolean; next?: Promise<V> } = { current: undefined as unknown as Promise<V>, started: !this.gather };
    entry.current = this.gather ? new Promise<void>((r) => setImmediate(r)).then(() => { entry.started = true; return fn(); }) : fn();
    const current = entry.current;
    this.state.set(key, entry);
    const done = () => {
      const s = this.state.get(key);
      if (s?.current !== current) return;
      if (s.next) s.next = undefined; // it is starting now and becomes `current`
      else this.state.delete(key);
    };
    void current.then(done, done);
    return current;
  }
}

export class BatchedInserts<T> {
  private pending: { row: T; resolve: (id: number) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  /** `insert` writes some rows in one statement and returns their ids in order (or throws for all of them). */
  constructor(private readonly insert: (rows: T[]) => Promise<number[]>, private readonly max = 500) {}

  add(row: T): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.max);
      try {
        const ids = await this.insert(batch.map((b) => b.row));
        batch.forEach((b, i) => b.resolve(ids[i]!));
      } catch (e) {
        if (batch.length === 1) { batch[0]!.reject(e); continue; }
        // One bad row must not fail the others: retry each on its own.
        await Promise.all(batch.map((b) => this.insert([b.row]).then((ids) => b.resolve(ids[0]!), b.reject)));
      }
    }
    this.flushing = false;
  }
}

/** Keyed reads asked while one is in flight go together in the next query, which starts after each was asked. */
export class BatchedReads<K, V> {
  private pending = new Map<K, { resolve: (v: V) => void; reject: (e: unknown) => void }[]>();
  private reading = false;

  /**
   * `read` answers for many keys in one query; a key missing from its result
   * gets `missing`. `gather`: the first read waits for the rest of the
   * event-loop turn, so keys asked in that turn go with it.
   */
  constructor(private readonly read: (keys: K[]) => Promise<Map<K, V>>, private readonly missing: V, private readonly gather = false) {}

  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(key, waiters);
      if (!this.reading) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.reading = true;
    if (this.gather) await new Promise<void>((r) => setImmediate(r));
    while (this.pending.size) {
      const batch = this.pending;
      this.pending = new Map();
      try {
        const got = await this.read([...batch.keys()]);
        for (const [k, ws] of batch) for (const w of ws) w.resolve(got.has(k) ? got.get(k)! : this.missing);
      } catch (e) {
        for (const ws of batch.values()) for (const w of ws) w.reject(e);
      }
    }
    this.reading = false;
  }
}

/**
 * Calls made while one is in flight go together in the next one: `run` gets
 * the requests in arrival order and answers each (same length, same order),
 * or throws for all of them.
 */
export class BatchedCalls<Req, Res> {
  private pending: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  /**
   * `gather`: the first call waits for the rest of the event-loop turn, so
   * calls made in that turn go with it. `parallel`: how many batches may be
   * in flight at once (a call made while fewer are starts another).
   */
  constructor(private readonly run: (reqs: Req[]) => Promise<Res[]>, private readonly max = 200, private readonly gather = false,
    private readonly parallel = 1) {}

  call(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ req, resolve, reject });
      if (this.running < this.parallel) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    if (this.gather) await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.max);
      try {
        const out = await this.run(batch.map((b) => b.req));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.running--;
  }
}
