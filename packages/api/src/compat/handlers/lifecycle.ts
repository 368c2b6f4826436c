import { recoverRuntime, removeRuntime } from "../../services/runtime-lifecycle";
import { findRuntime } from "../../services/runtime-locate";
import type { CompatHandler } from "../context";
import { success } from "../envelope";

/**
 * `DELETE /api/v1/project/{p}/runtime/{rt}`: removes the whole runtime (every version, soft, so it can be
 * recovered), as Starwhale's server does. Maintainers and up.
 */
export const removeRuntimeRoute: CompatHandler = async (r, p) => {
  const { project, runtime } = await findRuntime(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
  });
  const result = await removeRuntime(r.deps.db, {
    user: r.user,
    project: String(project.id),
    name: runtime.name,
  });
  return success(result);
};

/**
 * `PUT /api/v1/project/{p}/runtime/{rt}/recover`: brings every removed version back, with its tags. Owners only.
 * (Starwhale's own server refuses this call; its client needs it to work.)
 */
export const recoverRuntimeRoute: CompatHandler = async (r, p) => {
  const { project, runtime } = await findRuntime(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
  });
  const result = await recoverRuntime(r.deps.db, {
    user: r.user,
    project: String(project.id),
    name: runtime.name,
  });
  return success(result);
};
