import { createCaller } from "@swhub/api/root";
import { createContext } from "@swhub/api/trpc";
import { headers } from "next/headers";
import { cache } from "react";
import { getBlobStore, getDb } from "~/server/services";

/** Calls procedures directly from Server Components, with the request's cookies. Once per request. */
export const getCaller = cache(async () => {
  const context = await createContext({
    db: await getDb(),
    blobs: getBlobStore(),
    headers: new Headers(await headers()),
  });
  return createCaller(context);
});
