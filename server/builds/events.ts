// In-process notifications of committed status changes, for listeners such as
// forge commit statuses and notifications. Emitted after the store change
// committed, on the instance that made it. A failing listener is logged and
// never affects the change or other listeners.
import { EventEmitter } from "node:events";
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Logger } from "../logger.js";

export interface RunStatusEvent {
  runId: number;
  buildId: number;
  status: Status;
  worker: string | null;
  message: string;
  /** The run's trigger type when the emitter has it at hand (listeners then need not read it). */
  triggerType?: string;
}

export interface BuildStatusEvent {
  buildId: number;
  status: Status;
}

type Listener<T> = (event: T) => void | Promise<void>;

export class StatusEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly log: Logger) {
    this.emitter.setMaxListeners(0);
  }

  onRun(listener: Listener<RunStatusEvent>): void {
    this.emitter.on("run", (e: RunStatusEvent) => this.call(listener, e));
  }

  onBuild(listener: Listener<BuildStatusEvent>): void {
    this.emitter.on("build", (e: BuildStatusEvent) => this.call(listener, e));
  }

  run(event: RunStatusEvent): void {
    this.emitter.emit("run", event);
  }

  build(event: BuildStatusEvent): void {
    this.emitter.emit("build", event);
  }

  private call<T>(listener: Listener<T>, event: T): void {
    try {
      void Promise.resolve(listener(event)).catch((e: unknown) => this.log.error({ err: e }, "status listener failed"));
    } catch (e) {
      this.log.error({ err: e }, "status listener failed");
    }
  }
}
