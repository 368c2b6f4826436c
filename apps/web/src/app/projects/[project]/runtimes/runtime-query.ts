import { z } from "zod";

/** The runtimes list's state lives in the URL, so a filtered, sorted page can be shared and reloaded. */
const querySchema = z.object({
  q: z.string().catch(""),
  owner: z.string().catch(""),
  removed: z
    .string()
    .optional()
    .transform((v) => v === "1")
    .catch(false),
  sort: z.enum(["name", "created", "updated", "size"]).optional().catch(undefined),
  order: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1),
  size: z.coerce.number().int().min(10).max(100).catch(20),
});

export type RuntimeQuery = z.output<typeof querySchema>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function parseRuntimeQuery(params: Record<string, string | string[] | undefined>): RuntimeQuery {
  return querySchema.parse({
    q: first(params.q) ?? "",
    owner: first(params.owner) ?? "",
    removed: first(params.removed),
    sort: first(params.sort),
    order: first(params.order),
    page: first(params.page) ?? 1,
    size: first(params.size) ?? 20,
  });
}

/** The query string for a state, leaving defaults out so URLs stay short. */
export function runtimeQueryString(query: Partial<RuntimeQuery>): string {
  const out = new URLSearchParams();
  if (query.q) out.set("q", query.q);
  if (query.owner) out.set("owner", query.owner);
  if (query.removed) out.set("removed", "1");
  if (query.sort) out.set("sort", query.sort);
  if (query.order) out.set("order", query.order);
  if (query.page && query.page > 1) out.set("page", String(query.page));
  if (query.size && query.size !== 20) out.set("size", String(query.size));
  return out.toString();
}
