// `jobserv server`: one API server instance from environment configuration.
import { loadServerConfig } from "../server/config.js";
import { StartupError } from "../server/errors.js";
import { startServer, type RunningServer } from "../server/main.js";

export async function run(_argv: string[]): Promise<number> {
  let server: RunningServer;
  try {
    // The server logs its own JSON startup line ("jobserv server listening", with the URL).
    server = await startServer(loadServerConfig());
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    console.error(`jobserv server: ${e.message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await server.close();
  return 0;
}
