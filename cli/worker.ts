// `jobserv worker`: one worker from environment configuration. Runs until
// SIGTERM/SIGINT (then drains), or until the server refuses it for good (its
// registration), which ends it with exit 2 and what to fix.
import { loadWorkerConfig } from "../worker/config.js";
import { startWorker } from "../worker/main.js";

export async function run(_argv: string[]): Promise<number> {
  const config = loadWorkerConfig();
  // The worker reports its own end (a refused registration) through this log.
  const worker = startWorker(config, undefined, (line) => console.log(line));
  console.log(`jobserv worker ${config.name} pulling from ${config.serverUrl} (${config.protocol}); folder ${config.workDir}`);
  const signalled = new Promise<"signal">((resolve) => {
    process.once("SIGTERM", () => resolve("signal"));
    process.once("SIGINT", () => resolve("signal"));
  });
  const ended = await Promise.race([signalled, worker.done.then(() => "stopped" as const, (e: unknown) => e as Error)]);
  if (ended instanceof Error) {
    await worker.stop();
    console.error(`jobserv worker: ${ended.message}`);
    return 2;
  }
  console.log("draining: waiting for runs in flight");
  await worker.stop();
  return 0;
}
