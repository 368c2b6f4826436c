import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@swhub/db/client";
import { createDirectoryBlobStore } from "./blobs/directory-store";
import type { BlobStore } from "./blobs/store";
import { createCaller } from "./root";
import { createContext } from "./trpc";

let defaultStore: BlobStore | undefined;

/** A blob store in a fresh temporary directory. */
export function createTempBlobStore(): { store: BlobStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "swhub-blobs-"));
  return { store: createDirectoryBlobStore(dir), dir };
}

/**
 * A caller as a client with these request headers would be; `resHeaders` collects what it sets. Without `blobs`,
 * one temporary blob store per test process is used.
 */
export async function callAs(db: Database, headers: Record<string, string> = {}, blobs?: BlobStore) {
  const resHeaders = new Headers();
  defaultStore ??= createTempBlobStore().store;
  const caller = createCaller(
    await createContext({ db, blobs: blobs ?? defaultStore, headers: new Headers(headers), resHeaders }),
  );
  return { caller, resHeaders };
}

/** The `sw_session=...` pair from a Set-Cookie header, ready to send back as a Cookie header. */
export function sessionCookieFrom(resHeaders: Headers): string {
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith("sw_session="));
  if (!cookie) throw new Error("no sw_session cookie was set");
  return cookie.split(";")[0]!;
}
