// Boolean trigger params that switch forge behaviour on (pure): any value but
// empty, 0, false or no turns the flag on.
export function flagEnabled(triggerParams: Record<string, string>, name: string): boolean {
  const v = (triggerParams[name] ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false" && v !== "no";
}
