import { cache } from "react";
import { getCaller } from "~/trpc/server";
import { load } from "./load";

/** The project and the caller's access to it, once per request for the layout and the page alike. */
export const loadProject = cache(async (ref: string) => {
  const caller = await getCaller();
  return load(() => caller.project.get({ project: ref }));
});

/** What the caller may do in a project, as the server will judge it. */
export function permissions(access: "guest" | "maintainer" | "owner") {
  return { canWrite: access !== "guest", canRecover: access === "owner", canManage: access === "owner" };
}
