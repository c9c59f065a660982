// Entry point of a benchmark server process: one real jobserv instance
// (startServer on port 0) whose RSS and CPU the parent can ask for over IPC.
// argv[2] is a JSON object of ServerConfig overrides.
import { loadServerConfig, type ServerConfig } from "../../server/config.js";
import { startServer } from "../../server/main.js";
import v8 from "node:v8";

const overrides = JSON.parse(process.argv[2] ?? "{}") as Partial<ServerConfig>;
const server = await startServer(loadServerConfig({}, { port: 0, ...overrides }));

process.on("message", (msg: { type: string }) => {
  if (msg.type === "stats") {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    process.send!({ type: "stats", rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.space_size])), external: mem.external, cpuMs: (cpu.user + cpu.system) / 1000, at: performance.now() });
  } else if (msg.type === "heap") {
    // BENCH_HEAP_SNAPSHOT: a V8 heap snapshot of this process, written where the parent says.
    const file = v8.writeHeapSnapshot((msg as { type: string; file: string }).file);
    process.send!({ type: "heap", file });
  } else if (msg.type === "stop") {
    void server.close().finally(() => process.exit(0));
  }
});
process.send!({ type: "ready", url: server.url });
