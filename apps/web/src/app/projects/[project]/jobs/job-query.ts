import { jobStates } from "@swhub/shared/jobs";
import { z } from "zod";

/** The jobs list's state lives in the URL, so a filtered page can be shared and reloaded. */
const querySchema = z.object({
  state: z.enum(jobStates).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1),
  size: z.coerce.number().int().min(10).max(100).catch(20),
});

export type JobQuery = z.output<typeof querySchema>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function parseJobQuery(params: Record<string, string | string[] | undefined>): JobQuery {
  return querySchema.parse({
    state: first(params.state),
    page: first(params.page) ?? 1,
    size: first(params.size) ?? 20,
  });
}

/** The query string for a state, leaving defaults out so URLs stay short. */
export function jobQueryString(query: Partial<JobQuery>): string {
  const out = new URLSearchParams();
  if (query.state) out.set("state", query.state);
  if (query.page && query.page > 1) out.set("page", String(query.page));
  if (query.size && query.size !== 20) out.set("size", String(query.size));
  return out.toString();
}
