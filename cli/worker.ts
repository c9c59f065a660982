// `jobserv worker`: one worker from environment configuration.
import { loadWorkerConfig } from "../worker/config.js";
import { startWorker } from "../worker/main.js";

export async function run(_argv: string[]): Promise<number> {
  const config = loadWorkerConfig();
  const worker = startWorker(config);
  console.log(`jobserv worker ${config.name} pulling from ${config.serverUrl} (${config.protocol})`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  console.log("draining: waiting for runs in flight");
  await worker.stop();
  return 0;
}
