import type { Database } from "@swhub/db/client";
import type { submitDockerizeInputSchema } from "@swhub/shared/jobs";
import { autoTag } from "@swhub/shared/names";
import type { z } from "zod";
import { type Actor, requireProjectRole, requireUser } from "./access";
import type { JobView } from "./job-views";
import { type JobDeps, submitJob } from "./jobs";
import { locateRuntimeVersion } from "./runtime-locate";

/**
 * Asks for an OCI image of a runtime version (`runtime.dockerize`), pushed by the worker to the server's registry
 * as `<registry>/<project>/<runtime>:<tag>` for the version id, its `vN` and the tags asked for. The version is
 * resolved now (a tag or `latest` may move later); the same `requestId` answers the same job. Maintainers and up.
 */
export async function submitDockerize(
  db: Database,
  deps: JobDeps,
  input: { user: Actor } & z.output<typeof submitDockerizeInputSchema>,
): Promise<{ job: JobView; created: boolean }> {
  const user = requireUser(input.user);
  const { project } = await requireProjectRole(db, user, input.project, "maintainer");
  const { runtime, version } = await locateRuntimeVersion(db, {
    user,
    project: String(project.id),
    runtime: input.runtimeName,
    version: input.version,
  });
  const tags = [...new Set([version.version, autoTag(version.aliasSeq), ...input.tags])];
  const payload = {
    requestId: input.requestId,
    projectId: String(project.id),
    createdBy: user.id,
    runtimeVersionId: String(version.id),
    runtimeName: runtime.name,
    version: version.version,
    tags,
    platforms: [...new Set(input.platforms)],
    push: true,
  };
  return submitJob(db, deps, { user, projectId: project.id, name: "runtime.dockerize", payload });
}
