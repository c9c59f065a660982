// Lists that the API serves a page at a time, read to their end by
// following next_page_token.
export async function allPages<T>(page: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const res = await page(token);
    all.push(...res.items);
    token = res.nextPageToken;
  } while (token);
  return all;
}
