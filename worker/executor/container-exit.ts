// How a started container's exit code is learnt. `wait` (condition
// next-exit, sent before `start`) normally answers, but Docker registers the
// wait when its request arrives, on a connection of its own: on a busy
// daemon a container that exits at once can be gone before that, and
// "next-exit" then waits for an exit that never comes (a run hung on a busy
// machine for over a minute this way). So `inspect` settles it too: asked
// 250 ms after the output stream has ended (the container is exiting), then
// less and less often, and every 5 s before that; whichever answers first wins.
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";

const AFTER_OUTPUT_MS = 250;
const WHILE_RUNNING_MS = 5_000;

export async function exitCodeOf(container: Docker.Container, exited: Promise<{ StatusCode: number }>, outputEnded: Promise<void>): Promise<number> {
  const stop = new AbortController();
  exited.catch(() => { /* answered by inspect; the lost wait fails when the container is removed */ });
  try {
    return await Promise.race([exited.then((r) => r.StatusCode), inspected(container, outputEnded, stop.signal)]);
  } finally {
    stop.abort();
  }
}

async function inspected(container: Docker.Container, outputEnded: Promise<void>, stop: AbortSignal): Promise<number> {
  let ended = false;
  let quick = AFTER_OUTPUT_MS;
  void outputEnded.then(() => { ended = true; });
  while (!stop.aborted) {
    const ms = ended ? quick : WHILE_RUNNING_MS;
    if (ended) quick = Math.min(quick * 2, WHILE_RUNNING_MS);
    const pause = sleep(ms, undefined, { signal: stop }).catch(() => {});
    await (ended ? pause : Promise.race([pause, outputEnded]));
    if (stop.aborted) break;
    const state = await container.inspect().then((i) => i.State, () => undefined);
    if (state && !state.Running && (state.Status === "exited" || state.Status === "dead")) return state.ExitCode;
  }
  return new Promise<number>(() => { /* the wait answered */ });
}
