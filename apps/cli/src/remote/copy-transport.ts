import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { localTransport } from "@swhub/runtime/copy/local";
import type { CopyRef, CopyTransport, TransferOptions } from "@swhub/runtime/copy/transport";
import { bundlePath, registerVersion, type Store } from "@swhub/runtime/store/index";
import { isAppError } from "@swhub/shared/errors";
import { isLocal } from "@swhub/shared/uri";
import type { CommandContext } from "../command";
import { downloadBlob } from "./download";
import { openServer, type Server } from "./open";
import { remembering } from "./remembering";
import { rememberDigest, transferStateDir, uploadFile } from "./upload";

type Side = Pick<CopyTransport, "sourceTags" | "exists" | "addTags">;

/**
 * `runtime copy` between any two instances. The decisions stay in `copyRuntime`; this carries them out:
 * tags and existence are asked of the side they concern, and the bytes move by the cheapest way there is:
 * - local → server: upload the bundle (only what the server lacks), then commit the version;
 * - server → local: download the bundle (resuming a part file), then register it in the store;
 * - server → the same server: one `runtime.copy` call, no bytes move;
 * - server → another server: download, then upload.
 */
export function copyTransport(ctx: CommandContext, store: Store): CopyTransport {
  const servers = new Map<string, Server>();
  const serverOf = (ref: CopyRef) => {
    const known = servers.get(ref.instance.alias);
    if (known) return known;
    const server = openServer(ctx, ref.instance);
    servers.set(ref.instance.alias, server);
    return server;
  };
  const local = localTransport(store);
  // One `info` call per source version answers both its tags and where its bundle is.
  const infoOf = remembering(
    (src: CopyRef) => [src.instance.alias, src.project, src.name, src.version],
    (src) =>
      serverOf(src).call((t) =>
        t.runtime.info.query({ project: src.project, name: src.name, version: src.version }),
      ),
  );
  const sideOf = (ref: CopyRef): Side =>
    isLocal(ref.instance) ? local : serverSide(serverOf(ref), () => infoOf(ref));
  const stateDir = transferStateDir(store);

  const commit = (dest: CopyRef, bundleDigest: string, force: boolean) =>
    serverOf(dest).call((t) =>
      t.runtime.commit.mutate({
        project: dest.project,
        name: dest.name,
        version: dest.version,
        bundleDigest,
        force,
      }),
    );

  const download = async (
    src: CopyRef,
    options: TransferOptions,
  ): Promise<{ part: string; digest: string }> => {
    const server = serverOf(src);
    const info = await infoOf(src);
    const blob = { digest: info.digest, size: info.size };
    const part = await downloadBlob(server, String(info.project.id), blob, { ...options, stateDir });
    return { part, digest: info.digest };
  };

  return {
    sourceTags: (src) => sideOf(src).sourceTags(src),
    exists: (dest) => sideOf(dest).exists(dest),
    addTags: (dest, tags, options) => sideOf(dest).addTags(dest, tags, options),
    async transfer(src, dest, options) {
      const transfer = { ...options, stateDir };
      if (isLocal(src.instance) && isLocal(dest.instance)) return local.transfer(src, dest, options);
      if (isLocal(src.instance)) {
        const path = bundlePath(store, src.project, src.name, src.version);
        const { digest } = await uploadFile(serverOf(dest), dest.project, path, transfer);
        await commit(dest, digest, options.force);
        return;
      }
      if (isLocal(dest.instance)) {
        const { part, digest } = await download(src, options);
        const to = bundlePath(store, dest.project, dest.name, dest.version);
        await mkdir(dirname(to), { recursive: true });
        await rename(part, to);
        await rememberDigest(to, digest, stateDir).catch(() => undefined);
        await registerVersion(store, dest.project, dest.name, dest.version);
        return;
      }
      if (src.instance.uri === dest.instance.uri) {
        // Tags follow through copyRuntime, so that -i and the skip rules are the same in every direction.
        const tags = await sideOf(src).sourceTags(src);
        await serverOf(dest).call((t) =>
          t.runtime.copy.mutate({
            from: { project: src.project, name: src.name, version: src.version },
            to: { project: dest.project, name: dest.name },
            force: options.force,
            ignoreTags: tags,
          }),
        );
        return;
      }
      const { part } = await download(src, options);
      try {
        const { digest } = await uploadFile(serverOf(dest), dest.project, part, transfer);
        await commit(dest, digest, options.force);
      } finally {
        await rm(part, { force: true });
      }
    },
  };
}

function serverSide(server: Server, info: () => Promise<{ tags: string[] }>): Side {
  return {
    async sourceTags() {
      return (await info()).tags;
    },
    async exists(dest) {
      try {
        const got = await server.call((t) =>
          t.runtime.resolve.query({ project: dest.project, name: dest.name, version: dest.version }),
        );
        return got.version === dest.version;
      } catch (error) {
        if (isAppError(error) && error.code === "not_found") return false;
        throw error;
      }
    },
    async addTags(dest, tags, { force }) {
      const skipped: string[] = [];
      for (const tag of tags) {
        try {
          await server.call((t) =>
            t.runtime.tagAdd.mutate({
              project: dest.project,
              name: dest.name,
              version: dest.version,
              tags: [tag],
              force,
            }),
          );
        } catch (error) {
          if (!isAppError(error) || error.code !== "conflict") throw error;
          skipped.push(tag);
        }
      }
      return { skipped };
    },
  };
}
