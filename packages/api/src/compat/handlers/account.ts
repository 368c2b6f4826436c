import type { Database } from "@swhub/db/client";
import { invalidInput } from "@swhub/shared/errors";
import type { UserVo } from "@swhub/shared/starwhale-api";
import { requireUser } from "../../services/access";
import { createApiToken } from "../../services/api-tokens";
import { getUserProfiles, getUserProjectRoles } from "../../services/user-profiles";
import { type SessionUser, verifyPassword } from "../../services/users";
import { readForm } from "../body";
import type { CompatHandler } from "../context";
import { success } from "../envelope";
import { toUserVo } from "../views";

/** The name of the API tokens that a Starwhale client's password login creates (listed, and revocable, as any). */
export const loginTokenName = "Starwhale swcli login";

async function currentUserVo(db: Database, user: SessionUser): Promise<UserVo> {
  const [profiles, roles] = await Promise.all([
    getUserProfiles(db, [user.id]),
    getUserProjectRoles(db, user.id),
  ]);
  return toUserVo(user.id, profiles, roles);
}

/**
 * `POST /api/v1/login` with the form fields `userName` and `userPwd`: checks the password and mints a new API
 * token, answered in the `Authorization` header as `Bearer <token>`, which the client stores and sends back
 * verbatim. The same value works on our own API.
 */
export const login: CompatHandler = async (r) => {
  const form = await readForm(r.req);
  const name = form.get("userName") ?? "";
  const password = form.get("userPwd") ?? "";
  if (!name || !password) throw invalidInput("Give userName and userPwd");
  const user = await verifyPassword(r.deps.db, { name, password });
  const token = await createApiToken(r.deps.db, { userId: user.id, name: loginTokenName });
  return success(await currentUserVo(r.deps.db, user), { authorization: `Bearer ${token.token}` });
};

/**
 * `GET /api/v1/user/current`: the caller, for `swcli instance login --token`. The token comes back in the
 * `Authorization` header in its `Bearer` form, which the client then stores in place of the bare one it was given.
 */
export const currentUser: CompatHandler = async (r) => {
  const user = requireUser(r.user);
  const headers: Record<string, string> = r.apiToken ? { authorization: `Bearer ${r.apiToken}` } : {};
  return success(await currentUserVo(r.deps.db, user), headers);
};
