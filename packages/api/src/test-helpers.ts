import type { Database } from "@swhub/db/client";
import { createCaller } from "./root";
import { createContext } from "./trpc";

/** A caller as a client with these request headers would be; `resHeaders` collects what it sets. */
export async function callAs(db: Database, headers: Record<string, string> = {}) {
  const resHeaders = new Headers();
  const caller = createCaller(await createContext({ db, headers: new Headers(headers), resHeaders }));
  return { caller, resHeaders };
}

/** The `sw_session=...` pair from a Set-Cookie header, ready to send back as a Cookie header. */
export function sessionCookieFrom(resHeaders: Headers): string {
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith("sw_session="));
  if (!cookie) throw new Error("no sw_session cookie was set");
  return cookie.split(";")[0]!;
}
