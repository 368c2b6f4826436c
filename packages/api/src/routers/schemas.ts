import { projectRoles } from "@swhub/db/schema";
import { z } from "zod";
import { pagingSchema } from "../services/paging";

/** A project by name or numeric id. */
export const projectRefSchema = z.string().trim().min(1, "Give a project name or id").max(200);

export const projectInputSchema = z.object({ project: projectRefSchema });

/** A runtime and, optionally, a version: a full id, a prefix of 4+ characters, a tag, `latest` or `vN`. */
export const runtimeRefInputSchema = z.object({
  project: projectRefSchema,
  name: z.string().trim().min(1, "Give a runtime name").max(200),
  version: z.string().trim().min(1).max(200).optional(),
});

export const roleSchema = z.enum(projectRoles);

export { pagingSchema };
