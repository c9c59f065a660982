// Docker's multiplexed attach stream (no TTY) turned back into the bytes the
// program wrote: frames of an 8-byte header (stream type, 3 zero bytes,
// big-endian payload length) and the payload. stdout and stderr go to one
// output here (the script's stderr is already joined with its stdout inside
// the container), so a frame's payload is passed on as it arrives, as a view
// of the network read (no copy: dockerode's demuxStream copied the rest of the
// read once per frame, and a busy program writes frames of a few KiB).
// A header whose stream type is not 0, 1 or 2 means the stream is not
// multiplexed (or lost its framing): from there on everything passes raw, as
// dockerode's demuxStream does.
const HEADER = 8;

export class AttachDemuxer {
  /** Payload bytes left in the current frame. */
  private left = 0;
  /** A header split across reads. */
  private header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private raw = false;

  /** Hands the payload bytes in `chunk` to `emit`, in order (views of `chunk`, never empty). */
  push(chunk: Buffer, emit: (payload: Buffer) => void): void {
    if (this.raw) return chunk.length ? emit(chunk) : undefined;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - pos);
        emit(chunk.subarray(pos, pos + n));
        this.left -= n;
        pos += n;
        continue;
      }
      const n = Math.min(HEADER - this.headerFill, chunk.length - pos);
      chunk.copy(this.header, this.headerFill, pos, pos + n);
      this.headerFill += n;
      pos += n;
      if (this.headerFill < HEADER) break;
      this.headerFill = 0;
      if (this.header[0]! > 2) {
        // Not a frame: the header's bytes and all that follows are output.
        this.raw = true;
        emit(Buffer.from(this.header));
        if (pos < chunk.length) emit(chunk.subarray(pos));
        return;
      }
      this.left = this.header.readUInt32BE(4);
    }
  }
}
