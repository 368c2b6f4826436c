import type { ProjectRole } from "@swhub/db/schema";
import { isBuiltinTag } from "@swhub/shared/names";
import type { PageInfo, ProjectVo, RuntimeVersionVo, UserVo } from "@swhub/shared/starwhale-api";
import type { Page } from "../services/paging";
import type { ProjectSummary } from "../services/projects";
import type { VersionDetails } from "../services/runtime-locate";
import type { UserProfile } from "../services/user-profiles";

/*
 * Our objects as Starwhale's API shows them (`@swhub/shared/starwhale-api`): ids as strings, times in epoch
 * milliseconds, every field the client requires present.
 */

export const starwhaleRole: Record<ProjectRole, string> = {
  owner: "OWNER",
  maintainer: "MAINTAINER",
  guest: "GUEST",
};

export function toUserVo(
  id: string,
  profiles: Map<string, UserProfile>,
  projectRoles?: Record<string, ProjectRole>,
): UserVo {
  const profile = profiles.get(id);
  return {
    id,
    name: profile?.name ?? "",
    createdTime: profile?.createdAt.getTime() ?? 0,
    isEnabled: profile !== undefined,
    ...(profile?.isAdmin ? { systemRole: "OWNER" } : {}),
    ...(projectRoles
      ? {
          projectRoles: Object.fromEntries(
            Object.entries(projectRoles).map(([project, role]) => [project, starwhaleRole[role]]),
          ),
        }
      : {}),
  };
}

export function toProjectVo(
  project: Pick<ProjectSummary, "id" | "name" | "isPublic" | "description" | "owner" | "createdAt">,
  profiles: Map<string, UserProfile>,
  counts?: { runtimes: number; members: number },
): ProjectVo {
  return {
    id: project.id,
    name: project.name,
    privacy: project.isPublic ? "PUBLIC" : "PRIVATE",
    createdTime: project.createdAt.getTime(),
    owner: toUserVo(project.owner.id, profiles),
    description: project.description,
    ...(counts
      ? {
          statistics: {
            modelCounts: 0,
            datasetCounts: 0,
            runtimeCounts: counts.runtimes,
            memberCounts: counts.members,
            evaluationCounts: 0,
          },
        }
      : {}),
  };
}

/** A version as our services summarise it; `tags` may include `latest` and `vN`, which Starwhale keeps apart. */
export interface VersionFacts {
  id: string;
  version: string;
  alias: string;
  latest: boolean;
  tags: string[];
  createdAt: Date;
}

export function toVersionVo(
  version: VersionFacts,
  details: Map<string, VersionDetails>,
  profiles: Map<string, UserProfile>,
  extra: { meta?: string } = {},
): RuntimeVersionVo {
  const detail = details.get(version.id);
  return {
    id: version.id,
    runtimeId: detail?.runtimeId ?? "",
    name: version.version,
    alias: version.alias,
    latest: version.latest,
    image: detail?.image ?? "",
    createdTime: version.createdAt.getTime(),
    shared: false,
    tags: version.tags.filter((tag) => !isBuiltinTag(tag)),
    ...(extra.meta !== undefined ? { meta: extra.meta } : {}),
    ...(detail?.builtImage ? { builtImage: detail.builtImage } : {}),
    ...(detail ? { owner: toUserVo(detail.creatorId, profiles) } : {}),
  };
}

const navigatePages = 8;

/** A page in the shape of Java's PageHelper `PageInfo`, which Starwhale's server returns. */
export function toPageInfo<T, U>(page: Page<T>, toItem: (item: T) => U): PageInfo<U> {
  const list = page.items.map(toItem);
  const pages = Math.ceil(page.total / page.size);
  const pageNum = page.page;
  const startRow = list.length === 0 ? 0 : (pageNum - 1) * page.size + 1;
  const numbers = navigatepageNums(pageNum, pages);
  return {
    total: page.total,
    size: list.length,
    list,
    pageNum,
    pageSize: page.size,
    pages,
    prePage: pageNum > 1 ? pageNum - 1 : 0,
    nextPage: pageNum < pages ? pageNum + 1 : 0,
    hasPreviousPage: pageNum > 1,
    hasNextPage: pageNum < pages,
    startRow,
    endRow: list.length === 0 ? 0 : startRow + list.length - 1,
    isFirstPage: pageNum === 1,
    isLastPage: pageNum >= pages,
    navigatePages,
    navigatepageNums: numbers,
    navigateFirstPage: numbers[0] ?? 0,
    navigateLastPage: numbers.at(-1) ?? 0,
  };
}

/** The page numbers a pager shows around the current page, as PageHelper computes them. */
function navigatepageNums(pageNum: number, pages: number): number[] {
  if (pages <= navigatePages) return Array.from({ length: pages }, (_, i) => i + 1);
  let start = pageNum - navigatePages / 2;
  if (start < 1) start = 1;
  else if (pageNum + navigatePages / 2 > pages) start = pages - navigatePages + 1;
  return Array.from({ length: navigatePages }, (_, i) => start + i);
}
