// Structured JSON logs (pino): one root logger per server instance, created in
// main.ts and handed to the components that log; requests get child loggers
// with their request id (http/request-log.ts).
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "jobserv", pid: process.pid } });
}
