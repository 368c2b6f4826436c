import { AppError } from "@swhub/shared/errors";
import type { InstanceRef } from "@swhub/shared/uri";
import type { CommandContext } from "../command";
import { type BlobClient, blobClient } from "./blob-client";
import { connectServer, type ServerConnection } from "./server";

export interface Server extends ServerConnection {
  readonly blobs: BlobClient;
}

/** Starwhale's client stores the token as the header it was given (`Bearer swh_…`); both forms are accepted. */
export const bareToken = (stored: string): string => stored.replace(/^Bearer\s+/i, "").trim();

/** The server behind a logged-in alias, with its token from the config. */
export function openServer(ctx: CommandContext, instance: InstanceRef | string): Server {
  const alias = typeof instance === "string" ? instance : instance.alias;
  const config = ctx.config.data.instances[alias];
  if (!config) {
    throw new AppError(
      "not_found",
      `no instance "${alias}" is logged in`,
      `log in first: swcli instance login <url> --alias ${alias}`,
    );
  }
  if (!config.sw_token) {
    throw new AppError(
      "unauthenticated",
      `${alias} (${config.uri}) has no token in ${ctx.config.path}`,
      `log in: swcli instance login ${config.uri} --alias ${alias}`,
    );
  }
  const connection = connectServer({
    alias,
    url: config.uri.replace(/\/+$/, ""),
    token: bareToken(config.sw_token),
    signal: ctx.signal,
  });
  return { ...connection, blobs: blobClient(connection) };
}
