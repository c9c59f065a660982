// `[skip ci]` / `[ci skip]` in a head commit message (pure).
export function hasSkipCi(message: string): boolean {
  return message.includes("[skip ci]") || message.includes("[ci skip]");
}
