// `jobserv exec PROJECT.yml --run NAME`: runs one run of a local project file
// in a container, with no server (like `woodpecker exec`); see simulate.ts.
import { simulate } from "./simulate.js";

export function run(argv: string[]): Promise<number> {
  return simulate(argv, "exec");
}
