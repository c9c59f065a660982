// Output helpers shared by CLI commands: aligned tables for people, proto
// JSON for scripts, statuses and times in one format.
import { toJsonString, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Status } from "../gen/jobserv/v1/status_pb.js";

/** Prints rows under a header, columns padded to their widest cell; the last column is not padded. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** Prints a message as proto JSON (what the API's JSON encoding returns). */
export function printJson<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
  console.log(toJsonString(schema, message, { prettySpaces: 2 }));
}

export function statusName(s: Status): string {
  return Status[s] ?? String(s);
}

/** UTC, to the second; "-" when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  return ts ? new Date(timestampMs(ts)).toISOString().replace("T", " ").slice(0, 19) : "-";
}

/** Elapsed time between two timestamps (or until now), e.g. "4s", "2m05s", "1h02m". */
export function formatDuration(from: Timestamp | undefined, to: Timestamp | undefined): string {
  if (!from) return "-";
  const s = Math.max(0, Math.round(((to ? timestampMs(to) : Date.now()) - timestampMs(from)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}

/** Parses a positive build number argument, or undefined. */
export function buildNumber(arg: string | undefined): number | undefined {
  return arg && /^[1-9]\d*$/.test(arg) ? Number(arg) : undefined;
}
