import { createReadStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { AppError } from "@swhub/shared/errors";
import { shortVersion } from "@swhub/shared/version-id";
import { writeFileAtomic } from "../fs/atomic";
import { bundlePath, type Store } from "../store/layout";
import { readTagIndex, tagsOf } from "../store/tag-index";
import { addTags, registerVersion } from "../store/tags";
import type { CopyTransport } from "./transport";

/** Copies between projects and names of one standalone store. */
export function localTransport(store: Store): CopyTransport {
  const exists = (path: string) =>
    stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
  return {
    async sourceTags(src) {
      if (!(await exists(bundlePath(store, src.project, src.name, src.version)))) {
        throw new AppError(
          "not_found",
          `version ${shortVersion(src.version)} of ${src.name} does not exist in project "${src.project}"`,
        );
      }
      return tagsOf(await readTagIndex(store, src.project, src.name), src.version);
    },
    exists: (dest) => exists(bundlePath(store, dest.project, dest.name, dest.version)),
    async transfer(src, dest, { progress, signal }) {
      const from = bundlePath(store, src.project, src.name, src.version);
      const to = bundlePath(store, dest.project, dest.name, dest.version);
      const size = (await stat(from)).size;
      progress.phase("copy", size);
      let done = 0;
      await mkdir(dirname(to), { recursive: true });
      const counted = createReadStream(from, { highWaterMark: 1 << 20, signal }).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
            progress.update(done, size);
            callback(null, chunk);
          },
        }),
      );
      await writeFileAtomic(to, counted);
      await registerVersion(store, dest.project, dest.name, dest.version);
    },
    async addTags(dest, tags, { force }) {
      return addTags(store, dest.project, dest.name, dest.version, tags, { force, quiet: true });
    },
  };
}
