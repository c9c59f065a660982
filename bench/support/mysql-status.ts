// MariaDB's own counters around a benchmark phase: SHOW GLOBAL STATUS deltas
// (commits, statements, row-lock waits, deadlocks, log fsyncs) and the CPU
// time of the local mariadbd/mysqld process (when it runs on this machine),
// so a throughput figure can say what the database was doing.
import { createConnection } from "mysql2/promise";
import { commandCpuMs } from "./machine-cpu.js";

const COUNTERS = ["Com_commit", "Com_select", "Com_update", "Com_insert", "Questions", "Innodb_row_lock_waits", "Innodb_row_lock_time",
  "Innodb_deadlocks", "Innodb_data_fsyncs", "Innodb_os_log_fsyncs", "Handler_commit"];

export interface MysqlSample { at: number; counters: Map<string, number>; cpuMs: number | undefined }

export async function sampleMysql(url: string): Promise<MysqlSample> {
  const c = await createConnection(url);
  try {
    const [rows] = await c.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${COUNTERS.map(() => "?").join(",")})`, COUNTERS);
    const counters = new Map((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
    return { at: performance.now(), counters, cpuMs: mysqldCpuMs() };
  } finally {
    await c.end();
  }
}

/** "name +delta" for each counter that moved, and mariadbd's CPU as % of one core over the interval. */
export function describeDelta(a: MysqlSample, b: MysqlSample, perRuns: number): string {
  const parts = COUNTERS.map((k) => [k, (b.counters.get(k) ?? 0) - (a.counters.get(k) ?? 0)] as const).filter(([, d]) => d > 0)
    .map(([k, d]) => `${k} ${d} (${(d / perRuns).toFixed(2)}/run)`);
  if (a.cpuMs !== undefined && b.cpuMs !== undefined) parts.push(`mariadbd CPU ${((100 * (b.cpuMs - a.cpuMs)) / (b.at - a.at)).toFixed(0)}% of one core`);
  return parts.join(", ");
}

/** User+system CPU ms of the local database server process, if there is one. */
export function mysqldCpuMs(): number | undefined {
  return commandCpuMs("mariadbd") ?? commandCpuMs("mysqld");
}
