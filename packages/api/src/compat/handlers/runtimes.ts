import type { RuntimeInfoVo, RuntimeVo } from "@swhub/shared/starwhale-api";
import { stringify as stringifyYaml } from "yaml";
import { getVersionInfo } from "../../services/runtime-info";
import { listHistory, listRuntimes, type RuntimeSummary } from "../../services/runtime-lists";
import { describeVersions, findRuntime, locateRuntimeVersion } from "../../services/runtime-locate";
import { getUserProfiles } from "../../services/user-profiles";
import { type CompatHandler, paging, query } from "../context";
import { success } from "../envelope";
import { toPageInfo, toUserVo, toVersionVo } from "../views";

type ListedRuntime = RuntimeSummary & { latest: NonNullable<RuntimeSummary["latest"]> };

/**
 * `GET /api/v1/project/{p}/runtime?pageNum&pageSize&name&owner&latest`: one RuntimeVo per runtime with its newest
 * version. `name` is a name prefix, `owner` the runtime's owner (name or id). `latest` (`True`/`False`) and
 * `version` are accepted and change nothing, as on Starwhale's server: every row is a runtime's latest version.
 */
export const listRuntimesRoute: CompatHandler = async (r, p) => {
  const page = await listRuntimes(r.deps.db, {
    user: r.user,
    project: p.project!,
    name: query(r, "name"),
    owner: query(r, "owner"),
    ...paging(r),
  });
  // A runtime that isn't removed always has a live version; the guard only keeps the types honest.
  const items = page.items.filter((item): item is ListedRuntime => item.latest !== null);
  const details = await describeVersions(
    r.deps.db,
    items.map((item) => Number(item.latest.id)),
  );
  const profiles = await getUserProfiles(r.deps.db, [
    ...items.map((item) => item.owner.id),
    ...[...details.values()].map((d) => d.creatorId),
  ]);
  return success(
    toPageInfo(
      { ...page, items },
      (item): RuntimeVo => ({
        id: item.id,
        name: item.name,
        createdTime: item.createdAt.getTime(),
        owner: toUserVo(item.owner.id, profiles),
        version: toVersionVo({ ...item.latest, latest: true }, details, profiles),
      }),
    ),
  );
};

/**
 * `GET /api/v1/project/{p}/runtime/{rt}?versionUrl=` (the client's "refine") or `?versionName=` (`runtime info`):
 * the version asked for, as a numeric id, `latest`, `vN`, a tag, a full name or a prefix; `latest` when empty.
 */
export const runtimeInfoRoute: CompatHandler = async (r, p) => {
  const located = await locateRuntimeVersion(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
    version: query(r, "versionUrl") ?? query(r, "versionName"),
  });
  const [info, details] = await Promise.all([
    getVersionInfo(r.deps.db, {
      user: r.user,
      project: String(located.project.id),
      name: located.runtime.name,
      version: located.version.version,
    }),
    describeVersions(r.deps.db, [located.version.id]),
  ]);
  const profiles = await getUserProfiles(
    r.deps.db,
    [...details.values()].map((d) => d.creatorId),
  );
  const manifest = stringifyYaml(info.manifest);
  const body: RuntimeInfoVo = {
    id: info.runtime.id,
    name: info.runtime.name,
    versionId: info.id,
    versionName: info.version,
    versionAlias: info.alias,
    manifest,
    shared: false,
    createdTime: info.createdAt.getTime(),
    versionInfo: toVersionVo(info, details, profiles, { meta: manifest }),
    versionMeta: manifest,
  };
  return success(body);
};

/** `GET /api/v1/project/{p}/runtime/{rt}/version?pageNum&pageSize`: the runtime's versions, newest first. */
export const historyRoute: CompatHandler = async (r, p) => {
  const { runtime } = await findRuntime(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
  });
  const page = await listHistory(r.deps.db, {
    user: r.user,
    project: p.project!,
    name: runtime.name,
    ...paging(r),
  });
  const details = await describeVersions(
    r.deps.db,
    page.items.map((v) => Number(v.id)),
  );
  const profiles = await getUserProfiles(
    r.deps.db,
    [...details.values()].map((d) => d.creatorId),
  );
  return success(toPageInfo(page, (v) => toVersionVo(v, details, profiles)));
};

/** `HEAD /api/v1/project/{p}/runtime/{rt}/version/{v}`: 200 when the version exists (and isn't removed), else 404. */
export const headVersionRoute: CompatHandler = async (r, p) => {
  await locateRuntimeVersion(r.deps.db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
    version: p.version!,
  });
  return new Response(null, { status: 200 });
};
