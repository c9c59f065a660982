// `jobserv server`: one API server instance from environment configuration.
import { loadServerConfig } from "../server/config.js";
import { startServer } from "../server/main.js";

export async function run(_argv: string[]): Promise<number> {
  const server = await startServer(loadServerConfig());
  console.log(`jobserv server listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await server.close();
  return 0;
}
