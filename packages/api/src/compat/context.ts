import type { Database } from "@swhub/db/client";
import { invalidInput } from "@swhub/shared/errors";
import type { BlobStore } from "../blobs/store";
import type { Actor } from "../services/access";
import type { Paging } from "../services/paging";

/** What the compatibility routes need. */
export interface CompatDeps {
  db: Database;
  blobs: BlobStore;
  /** How long an upload's body may pause before the request is refused (default 30 s). */
  bodyIdleMs?: number;
}

/** One request as a handler sees it. */
export interface CompatRequest {
  req: Request;
  url: URL;
  user: Actor;
  /** The API token the request came with, when it came with one that works. */
  apiToken?: string;
  deps: Required<CompatDeps>;
}

export type CompatHandler = (r: CompatRequest, params: Record<string, string>) => Promise<Response>;

/** A query parameter, or undefined when absent or empty. */
export function query(r: CompatRequest, name: string): string | undefined {
  const value = r.url.searchParams.get(name)?.trim();
  return value ? value : undefined;
}

function positiveInt(r: CompatRequest, name: string): number | undefined {
  const value = query(r, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw invalidInput(`${name} must be a whole number from 1 up, not "${value}"`);
  }
  return Number(value);
}

/** `pageNum` and `pageSize`, Starwhale's paging parameters (the server's default page size is 10). */
export function paging(r: CompatRequest): Paging {
  return { page: positiveInt(r, "pageNum") ?? 1, size: Math.min(positiveInt(r, "pageSize") ?? 10, 500) };
}
