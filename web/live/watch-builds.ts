// A project's newest builds kept up to date (BuildService.WatchBuilds): the
// snapshot, then new builds and builds' new states, newest first.
import type { Build } from "../../gen/jobserv/v1/build_pb.js";
import { api } from "../core/api.js";
import { keepWatching, type WatchHandlers } from "./watch.js";

async function* listStates(project: string, pageSize: number, signal: AbortSignal): AsyncIterable<Build[]> {
  let builds: Build[] | undefined;
  for await (const msg of api.builds.watchBuilds({ project, pageSize }, { signal })) {
    const ev = msg.event;
    if (ev.case === "snapshot") builds = ev.value.builds;
    else if (ev.case === "build" && builds) {
      const b = ev.value;
      builds = [b, ...builds.filter((x) => x.number !== b.number)].sort((x, y) => y.number - x.number).slice(0, pageSize);
    } else continue;
    yield builds;
  }
}

export function watchBuilds(project: string, pageSize: number, h: WatchHandlers<Build[]>): () => void {
  return keepWatching(
    (signal) => listStates(project, pageSize, signal),
    async (signal) => (await api.builds.listBuilds({ project, pageSize }, { signal })).builds,
    h,
  );
}
