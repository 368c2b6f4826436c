import { createServer, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * Serves one PGlite instance over the Postgres wire protocol to many connections.
 *
 * PGlite has one session: one unnamed statement, one unnamed portal, one transaction, one "skip until Sync"
 * error state. Interleaving two connections' Parse/Bind/Execute messages, or their transactions, hands one
 * client the rows of another's query (`@electric-sql/pglite-socket` 0.2.17 does, per message). So a
 * connection owns the session from the first message it runs until PGlite reports the session idle again
 * (ReadyForQuery with status `I` after a Sync or a simple Query). That keeps each extended-protocol
 * sequence, including one split by Flush (postgres.js describes a new statement, waits, then binds), and
 * each transaction together. Ownership is PGlite's own exclusive lock, so queries made in this process
 * through the PGlite object wait their turn too.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const MAX_STARTUP = 10_000;

/** Messages after which the client waits for an answer. */
const ANSWERED = new Set(["S", "Q", "H", "c", "f"]);
/** Messages after which the session can be idle again: the answer ends with ReadyForQuery. */
const ENDS_WITH_READY = new Set(["S", "Q", "c", "f"]);

export interface PgliteServer {
  port: number;
  /** Closes every connection (rolling back what each left open), then stops listening. */
  stop(): Promise<void>;
}

export async function listenPglite(
  db: PGlite,
  options: { host: string; port: number; maxConnections: number },
): Promise<PgliteServer> {
  const connections = new Set<Connection>();
  const server = createServer((socket) => {
    if (connections.size >= options.maxConnections) {
      socket.end(errorResponse("FATAL", "53300", "sorry, too many clients already"));
      return;
    }
    const connection = new Connection(db, socket, () => connections.delete(connection));
    connections.add(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the PGlite server has no TCP address");
  return {
    port: address.port,
    async stop() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((c) => c.close()));
      await closing;
    },
  };
}

class Connection {
  private buffer = Buffer.alloc(0);
  private started = false;
  /** Messages received but not run yet: they run together once the client waits for an answer. */
  private pending: Buffer[] = [];
  /** Releases the session; set while this connection owns it. */
  private release: (() => void) | undefined;
  /** Named prepared statements this connection made; they live in the shared session, so they go when it does. */
  private readonly statements = new Set<string>();
  /** Work on this connection runs in order: data as it arrives, then the clean-up. */
  private queue: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly socket: Socket,
    private readonly onClosed: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
      this.enqueue(() => this.handleBuffer());
    });
    socket.on("error", () => void this.close());
    socket.on("close", () => void this.close());
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.socket.destroy();
      this.enqueue(() => this.cleanUp());
      await this.queue;
      this.onClosed();
    })();
    return this.closed;
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue.then(work).catch(() => {
      this.socket.destroy();
    });
  }

  private async handleBuffer() {
    while (!this.socket.destroyed) {
      if (!this.started) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (length < 8 || length > MAX_STARTUP) {
          this.socket.end(errorResponse("FATAL", "08P01", "invalid startup packet"));
          return;
        }
        if (this.buffer.length < length) return;
        const message = this.take(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write("N"); // no encryption on loopback; the client goes on in plain text
        } else if (code === CANCEL_REQUEST) {
          this.socket.end(); // PGlite has no other backend to interrupt
          return;
        } else if (code === PROTOCOL_3) {
          this.started = true;
          this.pending.push(message);
          await this.run(true);
        } else {
          this.socket.end(errorResponse("FATAL", "0A000", "unsupported frontend protocol"));
          return;
        }
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = 1 + this.buffer.readInt32BE(1);
      if (length < 5) {
        this.socket.end(errorResponse("FATAL", "08P01", "invalid message length"));
        return;
      }
      if (this.buffer.length < length) return;
      const message = this.take(length);
      const type = String.fromCharCode(message[0]!);
      if (type === "X") {
        void this.close(); // runs after this, in order
        return;
      }
      this.track(type, message);
      this.pending.push(message);
      if (ANSWERED.has(type)) await this.run(ENDS_WITH_READY.has(type));
    }
  }

  private take(length: number): Buffer {
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  /** Parse with a name creates a statement, Close of a statement removes it. */
  private track(type: string, message: Buffer) {
    if (type === "P") {
      const name = cString(message, 5);
      if (name) this.statements.add(name);
    } else if (type === "C" && message[5] === 0x53 /* S */) {
      this.statements.delete(cString(message, 6));
    }
  }

  /** Runs the pending messages as the session's owner, and gives the session up when it is idle again. */
  private async run(endsWithReady: boolean) {
    const input = Buffer.concat(this.pending);
    this.pending = [];
    await this.acquire();
    if (this.socket.destroyed) return; // the clean-up ends what this connection started
    let tail = Buffer.alloc(0);
    await this.db.execProtocolRawStream(input, {
      onRawData: (data) => {
        // A copy: the socket writes later, and the data may be a view of PGlite's memory.
        const chunk = Buffer.from(data);
        if (!this.socket.destroyed) this.socket.write(chunk);
        tail = chunk.length >= 6 ? chunk.subarray(-6) : Buffer.concat([tail, chunk]).subarray(-6);
      },
    });
    // ReadyForQuery is 'Z', length 5, then the transaction status: I (idle), T (in a block), E (failed block).
    if (endsWithReady && tail.length === 6 && tail[0] === 0x5a && tail[5] === 0x49) this.releaseSession();
  }

  /** After the client went away: finish its sequence, roll back its transaction, drop its statements. */
  private async cleanUp() {
    if (!this.release && this.statements.size === 0) return;
    await this.acquire();
    try {
      const messages = [message("S", Buffer.alloc(0))];
      for (const name of this.statements)
        messages.push(message("C", Buffer.concat([Buffer.from("S"), cString0(name)])));
      messages.push(message("S", Buffer.alloc(0)));
      await this.db.execProtocolRaw(Buffer.concat(messages));
      if (this.db.isInTransaction()) await this.db.execProtocolRaw(message("Q", cString0("ROLLBACK")));
    } finally {
      this.statements.clear();
      this.releaseSession();
    }
  }

  private async acquire() {
    if (this.release) return;
    this.release = await new Promise<() => void>((owned, failed) => {
      this.db.runExclusive(() => new Promise<void>((done) => owned(done))).catch(failed);
    });
  }

  private releaseSession() {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

function cString(buffer: Buffer, start: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString("utf8", start, end < 0 ? buffer.length : end);
}

function cString0(text: string): Buffer {
  return Buffer.from(`${text}\0`);
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function errorResponse(severity: string, code: string, text: string): Buffer {
  const fields = [`S${severity}`, `V${severity}`, `C${code}`, `M${text}`].map(cString0);
  return message("E", Buffer.concat([...fields, Buffer.from([0])]));
}
