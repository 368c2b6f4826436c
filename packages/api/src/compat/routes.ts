import { AppError, invalidInput, notFound } from "@swhub/shared/errors";
import { HttpAppError } from "../errors";
import { matchPath } from "../http/request";
import { authenticateCompat } from "./auth";
import { drainBody } from "./body";
import type { CompatDeps, CompatHandler } from "./context";
import { failure } from "./envelope";
import { currentUser, login } from "./handlers/account";
import { downloadBundleRoute, uploadBundleRoute } from "./handlers/bundles";
import { recoverRuntimeRoute, removeRuntimeRoute } from "./handlers/lifecycle";
import { getProjectRoute, listProjectsRoute } from "./handlers/projects";
import { headVersionRoute, historyRoute, listRuntimesRoute, runtimeInfoRoute } from "./handlers/runtimes";
import { addTagRoute, listTagsRoute, removeTagRoute, taggedVersionRoute } from "./handlers/tags";

export const compatRoutePrefix = "/api/v1/";

/**
 * Who may call a route: `public` reads no credentials at all (login); `anyone` serves anonymous callers too (reads of
 * public projects), but refuses a bad token; `signedIn` needs a user. Each service then checks the project role.
 */
type Access = "public" | "anyone" | "signedIn";

interface Route {
  method: string;
  /** Segments after `/api/v1/`; `:x` matches one segment. */
  path: string;
  access: Access;
  handle: CompatHandler;
}

const version = "project/:project/runtime/:runtime/version/:version";

/** Every call of Starwhale's client for runtimes (spec `starwhale-api.md`). */
const routes: Route[] = [
  { method: "POST", path: "login", access: "public", handle: login },
  { method: "GET", path: "user/current", access: "signedIn", handle: currentUser },
  { method: "GET", path: "project", access: "anyone", handle: listProjectsRoute },
  { method: "GET", path: "project/:project", access: "anyone", handle: getProjectRoute },
  { method: "GET", path: "project/:project/runtime", access: "anyone", handle: listRuntimesRoute },
  { method: "GET", path: "project/:project/runtime/:runtime", access: "anyone", handle: runtimeInfoRoute },
  {
    method: "DELETE",
    path: "project/:project/runtime/:runtime",
    access: "signedIn",
    handle: removeRuntimeRoute,
  },
  {
    method: "PUT",
    path: "project/:project/runtime/:runtime/recover",
    access: "signedIn",
    handle: recoverRuntimeRoute,
  },
  {
    method: "GET",
    path: "project/:project/runtime/:runtime/version",
    access: "anyone",
    handle: historyRoute,
  },
  { method: "HEAD", path: version, access: "anyone", handle: headVersionRoute },
  { method: "POST", path: `${version}/file`, access: "signedIn", handle: uploadBundleRoute },
  { method: "GET", path: `${version}/file`, access: "anyone", handle: downloadBundleRoute },
  { method: "GET", path: `${version}/tag`, access: "anyone", handle: listTagsRoute },
  { method: "POST", path: `${version}/tag`, access: "signedIn", handle: addTagRoute },
  { method: "DELETE", path: `${version}/tag/:tag`, access: "signedIn", handle: removeTagRoute },
  {
    method: "GET",
    path: "project/:project/runtime/:runtime/tag/:tag",
    access: "anyone",
    handle: taggedVersionRoute,
  },
];

/**
 * swcli 0.6.15's `remove` and `recover` put the whole project URI where the project belongs and
 * `ResourceType.runtime` where `runtime` belongs:
 * `/api/v1/project/http://HOST:PORT[/prefix]/project/1/ResourceType.runtime/NAME[/recover]` (spec §3.12). These
 * map onto the intended paths. The `//` is matched as one or more slashes, because a proxy or framework in front
 * (Next.js redirects to the folded path) may fold it.
 */
const mangled =
  /^\/api\/v1\/project\/https?:\/+[^/]+(?:\/.*)?\/project\/([^/]+)\/ResourceType\.runtime\/([^/]+)(\/recover)?\/?$/;

export function unmanglePath(pathname: string): string {
  const match = mangled.exec(pathname);
  return match ? `/api/v1/project/${match[1]}/runtime/${match[2]}${match[3] ?? ""}` : pathname;
}

/** Every route as method + path, the client's mangled forms included (for the access matrix test and docs). */
export const compatRoutes = [
  ...routes.map((r) => ({ method: r.method, path: `${compatRoutePrefix}${r.path}` })),
  { method: "DELETE", path: "/api/v1/project/{instance}/project/:project/ResourceType.runtime/:runtime" },
  {
    method: "PUT",
    path: "/api/v1/project/{instance}/project/:project/ResourceType.runtime/:runtime/recover",
  },
];

const compiled = routes.map((route) => ({ ...route, pattern: route.path.split("/") }));

/**
 * Starwhale's server API for runtimes as a fetch-style handler: mounted by the web app at `/api/v1/[...path]` and by
 * `serveApi` for tests. Every answer is the JSON envelope `{code, message, data}` (errors included), except HEAD
 * and the bundle download.
 */
export function createCompatHandler(deps: CompatDeps): (req: Request) => Promise<Response> {
  const full = { ...deps, bodyIdleMs: deps.bodyIdleMs ?? 30_000 };
  return async (req) => {
    try {
      const url = new URL(req.url);
      const path = unmanglePath(url.pathname);
      if (!path.startsWith(compatRoutePrefix)) throw notFound(`No route ${path}`);
      let segments: string[];
      try {
        segments = path.slice(compatRoutePrefix.length).split("/").filter(Boolean).map(decodeURIComponent);
      } catch {
        throw invalidInput(`The path ${path} is not properly encoded`);
      }
      const candidates = compiled
        .map((route) => ({ route, params: matchPath(route.pattern, segments) }))
        .filter((c) => c.params !== undefined);
      const found = candidates.find((c) => c.route.method === req.method);
      if (!found) {
        if (candidates.length === 0) throw notFound(`No route ${req.method} ${url.pathname}`);
        const allow = candidates.map((c) => c.route.method).join(", ");
        throw new HttpAppError("invalid_input", `${req.method} is not allowed on ${url.pathname}`, 405, {
          allow,
        });
      }
      const { route, params } = found;
      if (route.access === "public") {
        return await route.handle({ req, url, user: null, deps: full }, params!);
      }
      const auth = await authenticateCompat(full.db, req.headers);
      if (auth.authProblem === "token") {
        throw new AppError("unauthenticated", "The token is invalid, expired or revoked", "log in again");
      }
      if (!auth.user && route.access === "signedIn") {
        throw new AppError("unauthenticated", "Log in first", "swcli instance login");
      }
      return await route.handle({ req, url, user: auth.user, apiToken: auth.apiToken, deps: full }, params!);
    } catch (error) {
      await drainBody(req, full.bodyIdleMs);
      return failure(error);
    }
  };
}
