// Which of its reported host tags a worker may claim runs for (pure): all of
// them, or, when an admin restricted it (allowed_host_tags, JobServ's JWT
// tags), only those also allowed. Read fresh from the workers row by Pull
// and by every lease sweep, which closes a stream whose tags went stale.
export function claimableTags(row: { host_tags: string; allowed_host_tags: string }): string[] {
  const tags = JSON.parse(row.host_tags) as string[];
  const allowed = JSON.parse(row.allowed_host_tags) as string[];
  return allowed.length ? tags.filter((t) => allowed.includes(t)) : tags;
}

export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}
