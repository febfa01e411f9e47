/**
 * The board's side of WebREPL's binary file transfer (binary WebSocket frames), PUT only: an
 * 82-byte request (`WA`, op 1, 8 reserved bytes, size u32, name length u16, name in 64 bytes, little
 * endian), answered `WB` + status u16; then the file's bytes, answered again once written.
 */
export class FileTransfer {
  #pending = Buffer.alloc(0);
  #receiving: { path: string; size: number; chunks: Buffer[]; got: number } | undefined;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly write: (path: string, contents: Buffer) => Promise<void>,
  ) {}

  receive(data: Buffer): void {
    if (this.#receiving) {
      const file = this.#receiving;
      file.chunks.push(data);
      file.got += data.length;
      if (file.got < file.size) return;
      this.#receiving = undefined;
      void this.write(file.path, Buffer.concat(file.chunks).subarray(0, file.size)).then(
        () => this.send(reply(0)),
        () => this.send(reply(1)),
      );
      return;
    }
    this.#pending = Buffer.concat([this.#pending, data]);
    if (this.#pending.length < 82) return;
    const request = this.#pending.subarray(0, 82);
    this.#pending = this.#pending.subarray(82);
    const op = request[2];
    if (request.toString("latin1", 0, 2) !== "WA" || op !== 1) {
      this.send(reply(1));
      return;
    }
    const size = request.readUInt32LE(12);
    const path = request.toString("utf8", 18, 18 + request.readUInt16LE(16));
    this.send(reply(0));
    this.#receiving = { path, size, chunks: [], got: 0 };
    if (size === 0) this.receive(Buffer.alloc(0));
  }
}

function reply(status: number): Buffer {
  const answer = Buffer.from("WB\0\0", "latin1");
  answer.writeUInt16LE(status, 2);
  return answer;
}
