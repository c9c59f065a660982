// The explicit list of migrations, in order. Names sort by time; never rename one.
import type { Migration } from "kysely/migration";
import * as initial from "./2026_11_25_0001_initial.js";
import * as forges from "./2026_11_25_0100_forges.js";
import * as artifacts from "./2026_11_25_0200_artifacts.js";
import * as buildDefinitions from "./2026_11_25_0400_build_definitions.js";
import * as runHotPaths from "./2026_11_25_0500_run_hot_paths.js";
import * as speed from "./2026_11_25_0600_speed.js";
import * as auth from "./2026_11_25_0700_auth.js";
import * as buildStatusIndex from "./2026_11_25_0800_build_status_index.js";
import * as promoteTags from "./2026_11_25_0900_promote_tags.js";
import * as workerLoad from "./2026_11_25_1000_worker_load.js";
import * as lifecycleEvents from "./2026_11_29_1000_lifecycle_events.js";
import * as browserSessions from "./2026_11_29_1100_browser_sessions.js";
import * as logArchive from "./2026_11_29_1200_log_archive.js";
import * as scheduling from "./2026_11_29_1600_scheduling.js";
import * as release from "./2026_11_29_1700_release.js";
import * as triggerNames from "./2026_11_29_2000_trigger_names.js";
import * as buildEventsIndex from "./2026_11_29_4000_build_events_index.js";
import * as workerChanges from "./2026_11_30_0100_worker_changes.js";
import * as instanceHeartbeats from "./2026_11_30_0200_instance_heartbeats.js";

export const migrations: Record<string, Migration> = {
  "2026_11_25_0001_initial": initial,
  "2026_11_25_0100_forges": forges,
  "2026_11_25_0200_artifacts": artifacts,
  "2026_11_25_0400_build_definitions": buildDefinitions,
  "2026_11_25_0500_run_hot_paths": runHotPaths,
  "2026_11_25_0600_speed": speed,
  "2026_11_25_0700_auth": auth,
  "2026_11_25_0800_build_status_index": buildStatusIndex,
  "2026_11_25_0900_promote_tags": promoteTags,
  "2026_11_25_1000_worker_load": workerLoad,
  "2026_11_29_1000_lifecycle_events": lifecycleEvents,
  "2026_11_29_1100_browser_sessions": browserSessions,
  "2026_11_29_1200_log_archive": logArchive,
  "2026_11_29_1600_scheduling": scheduling,
  "2026_11_29_1700_release": release,
  "2026_11_29_2000_trigger_names": triggerNames,
  "2026_11_29_4000_build_events_index": buildEventsIndex,
  "2026_11_30_0100_worker_changes": workerChanges,
  "2026_11_30_0200_instance_heartbeats": instanceHeartbeats,
};
