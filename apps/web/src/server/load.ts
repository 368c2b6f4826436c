import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";

export type Loaded<T> =
  | { ok: true; data: T }
  | { ok: false; status: "not_found" | "forbidden" | "invalid"; message: string };

/**
 * Runs a server-side procedure call for a page. Failures a visitor can cause (an unknown name in the URL, a role
 * that does not allow it) come back as a message for the page to show; a signed-out visitor goes to sign-in.
 */
export async function load<T>(call: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await call() };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.code === "UNAUTHORIZED") redirect("/signin");
    if (error.code === "NOT_FOUND") return { ok: false, status: "not_found", message: error.message };
    if (error.code === "FORBIDDEN") return { ok: false, status: "forbidden", message: error.message };
    if (error.code === "BAD_REQUEST") return { ok: false, status: "invalid", message: error.message };
    throw error;
  }
}
