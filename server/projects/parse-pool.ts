// Owns parsing large project definitions off the event loop: a small pool of worker threads, each with
// a heap limit (maxOldGenerationSizeMb), and a time budget per parse. A parse past either is refused
// with a ProjectDefinitionError; the worker is replaced. Idle workers do not keep the process alive.
import { Worker } from "node:worker_threads";
import { ProjectDefinitionError } from "./definition-error.js";
import type { ProjectDefinition } from "./schema.js";
import type { WorkerAnswer } from "./parse-worker.js";

export interface ParsePoolOptions {
  /** Parses at once (each on its own thread). */
  size: number;
  /** A parse taking longer is refused and its thread terminated. */
  timeoutMs: number;
  /** Each thread's V8 old-generation heap limit. */
  maxOldGenerationSizeMb: number;
}

export const DEFAULT_PARSE_POOL: ParsePoolOptions = { size: 2, timeoutMs: 10_000, maxOldGenerationSizeMb: 256 };

/** Resolves when the thread's first message ("ready") arrives. */
const ready = new WeakMap<Worker, Promise<void>>();

interface Job {
  text: string;
  resolve: (def: ProjectDefinition) => void;
  reject: (e: Error) => void;
}

export class ParsePool {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private busy = 0;

  constructor(private readonly opts: ParsePoolOptions = DEFAULT_PARSE_POOL) {}

  parse(text: string): Promise<ProjectDefinition> {
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.pump();
    });
  }

  /** Starts one thread ahead of need, so the first large definition does not wait for a cold start. */
  warm(): void {
    if (this.idle.length === 0 && this.busy === 0) this.idle.push(spawn(this.opts.maxOldGenerationSizeMb));
  }

  /** Terminates the idle threads (busy ones end with their parse). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy < this.opts.size)) {
      this.run(this.idle.pop() ?? spawn(this.opts.maxOldGenerationSizeMb), this.queue.shift()!);
    }
  }

  private run(worker: Worker, job: Job): void {
    this.busy++;
    worker.ref();
    // The time budget starts once the thread has loaded the parser (a cold start is not the definition's cost).
    void ready.get(worker)!.then(() => this.send(worker, job), () => {});
  }

  private send(worker: Worker, job: Job): void {
    const finish = (keep: boolean): void => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      this.busy--;
      if (keep) {
        worker.unref();
        this.idle.push(worker);
      } else {
        void worker.terminate();
      }
      this.pump();
    };
    const timer = setTimeout(() => {
      finish(false);
      job.reject(new ProjectDefinitionError("", undefined, `project definition took longer than ${this.opts.timeoutMs} ms to parse (the limit); make it smaller`));
    }, this.opts.timeoutMs);
    const onMessage = (a: WorkerAnswer): void => {
      finish(true);
      if ("definition" in a) job.resolve(a.definition);
      else job.reject(new ProjectDefinitionError(a.keyPath, a.line === undefined ? undefined : { line: a.line, column: a.column ?? 0 }, a.detail));
    };
    const onError = (e: Error & { code?: string }): void => {
      finish(false);
      const detail = e.code === "ERR_WORKER_OUT_OF_MEMORY"
        ? `project definition needs more than ${this.opts.maxOldGenerationSizeMb} MB to parse (the limit); make it smaller`
        : `could not parse project definition (${e.message})`;
      job.reject(new ProjectDefinitionError("", undefined, detail));
    };
    const onExit = (code: number): void => onError(new Error(`parser thread exited with code ${code}`));
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(job.text);
  }
}

/**
 * Under tsx (no build step: cli/jobserv.js registers it) the entry is TypeScript; the thread
 * registers tsx itself first, since `register()` in the main thread does not reach workers.
 */
function spawn(maxOldGenerationSizeMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb };
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
  const worker = import.meta.url.endsWith(".ts")
    ? new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`,
      { eval: true, resourceLimits })
    : new Worker(entry, { resourceLimits });
  worker.on("error", () => {}); // a thread that errors after its job was settled (e.g. being terminated)
  worker.unref();
  ready.set(worker, new Promise((resolve) => worker.once("message", () => resolve())));
  return worker;
}
