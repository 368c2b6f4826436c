import type { IncomingHttpHeaders } from "node:http";
import { invalidInput } from "@swhub/shared/errors";
import { formatIssues } from "@swhub/shared/schemas";
import type { z } from "zod";

/** The request's JSON body checked against `schema`; bad JSON or a bad shape is one `invalid_input` line. */
export async function readJson<S extends z.ZodType>(
  req: { json(): Promise<unknown> },
  schema: S,
): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw invalidInput("The request body is not valid JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidInput(formatIssues(parsed.error).join("; "));
  return parsed.data;
}

/** Matches path segments against a pattern where `:name` takes one segment; the named values, or undefined. */
export function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(":")) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

/** A Node request's headers as fetch `Headers` (what authentication and the routes read). */
export function nodeHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
