// One build kept up to date (BuildService.WatchBuild): the snapshot, then
// the build's new states (runs kept) and each run's new state (replacing the
// run of that name, or added: a chained trigger's new run).
import { create } from "@bufbuild/protobuf";
import { BuildSchema, type Build } from "../../gen/jobserv/v1/build_pb.js";
import { api } from "../core/api.js";
import { keepWatching, type WatchHandlers } from "./watch.js";

async function* buildStates(project: string, number: number, signal: AbortSignal): AsyncIterable<Build> {
  let current: Build | undefined;
  for await (const msg of api.builds.watchBuild({ project, number }, { signal })) {
    const ev = msg.event;
    if (ev.case === "snapshot") current = ev.value;
    else if (!current) continue;
    else if (ev.case === "build") current = create(BuildSchema, { ...ev.value, runs: current.runs, statusEvents: current.statusEvents });
    else if (ev.case === "run") {
      const run = ev.value;
      const runs = current.runs.filter((r) => r.name !== run.name);
      const at = current.runs.findIndex((r) => r.name === run.name);
      runs.splice(at < 0 ? runs.length : at, 0, run);
      current = create(BuildSchema, { ...current, runs });
    } else continue; // ping
    yield current;
  }
}

export function watchBuild(project: string, number: number, h: WatchHandlers<Build>): () => void {
  return keepWatching(
    (signal) => buildStates(project, number, signal),
    async (signal) => (await api.builds.getBuild({ project, number }, { signal })).build!,
    h,
  );
}
