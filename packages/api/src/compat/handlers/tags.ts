import { z } from "zod";
import { readJson } from "../../http/request";
import { findTaggedVersion, locateRuntimeVersion } from "../../services/runtime-locate";
import { userTags } from "../../services/runtime-rows";
import { addTags, removeTags } from "../../services/runtime-tags";
import type { CompatHandler, CompatRequest } from "../context";
import { success } from "../envelope";

function locate(r: CompatRequest, p: Record<string, string>) {
  return locateRuntimeVersion(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
    version: p.version!,
  });
}

/** `GET …/version/{v}/tag`: the version's user tags (never `latest` or `vN`), by name. */
export const listTagsRoute: CompatHandler = async (r, p) => {
  const { version } = await locate(r, p);
  const tags = await userTags(r.deps.db, [version.id]);
  return success(tags.get(version.id) ?? []);
};

const addTagSchema = z.object({ tag: z.string().trim().min(1, "Give a tag"), force: z.boolean().optional() });

/**
 * `POST …/version/{v}/tag` with `{tag, force}`: adds a user tag. A tag another version holds moves only with
 * `force`; `latest` and `vN` are refused. Answers the version's tags.
 */
export const addTagRoute: CompatHandler = async (r, p) => {
  const body = await readJson(r.req, addTagSchema);
  const { project, runtime, version } = await locate(r, p);
  const result = await addTags(r.deps.db, {
    user: r.user,
    project: String(project.id),
    name: runtime.name,
    version: version.version,
    tags: [body.tag],
    force: body.force,
  });
  return success(result.tags);
};

/** `DELETE …/version/{v}/tag/{tag}`: removes a user tag from that version (`not_found` when it doesn't hold it). */
export const removeTagRoute: CompatHandler = async (r, p) => {
  const { project, runtime, version } = await locate(r, p);
  const result = await removeTags(r.deps.db, {
    user: r.user,
    project: String(project.id),
    name: runtime.name,
    version: version.version,
    tags: [p.tag!],
  });
  return success(result.removed);
};

/** `GET …/runtime/{rt}/tag/{tag}`: the id of the version a tag (`latest`, `vN` or a user tag) names. */
export const taggedVersionRoute: CompatHandler = async (r, p) => {
  const { version } = await findTaggedVersion(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
    tag: p.tag!,
  });
  return success(String(version.id));
};
