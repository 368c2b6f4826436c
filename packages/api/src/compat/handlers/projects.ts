import { getProject, listProjects } from "../../services/projects";
import { getUserProfiles } from "../../services/user-profiles";
import { type CompatHandler, paging, query } from "../context";
import { success } from "../envelope";
import { toPageInfo, toProjectVo } from "../views";

/** `GET /api/v1/project?pageNum&pageSize[&projectName]`: the projects the caller can see, as a PageInfo. */
export const listProjectsRoute: CompatHandler = async (r) => {
  const page = await listProjects(r.deps.db, { user: r.user, name: query(r, "projectName"), ...paging(r) });
  const profiles = await getUserProfiles(
    r.deps.db,
    page.items.map((p) => p.owner.id),
  );
  return success(toPageInfo(page, (p) => toProjectVo(p, profiles)));
};

/** `GET /api/v1/project/{p}` by name or id: the client's name → id lookup and `project info`. */
export const getProjectRoute: CompatHandler = async (r, p) => {
  const project = await getProject(r.deps.db, { user: r.user, project: p.project! });
  const profiles = await getUserProfiles(r.deps.db, [project.owner.id]);
  return success(
    toProjectVo(project, profiles, { runtimes: project.runtimeCount, members: project.memberCount }),
  );
};
