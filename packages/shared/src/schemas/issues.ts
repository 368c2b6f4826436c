import type { z } from "zod";
import { AppError } from "../errors";

/** `dependencies[3].pip[0]`, `environment.python`: the path a user can find in their file. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line per problem: `<field>: <reason>`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}

/** Parses with a schema; failures become one AppError whose message lists each field and reason. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = formatIssues(result.error);
  const message =
    lines.length === 1
      ? `${what}: ${lines[0]}`
      : `${what} has ${lines.length} problems:\n  ${lines.join("\n  ")}`;
  throw new AppError("invalid_input", message);
}

/** Describes a value for an error message: `"foo.out"`, `3`, `a list`, `a mapping`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}
