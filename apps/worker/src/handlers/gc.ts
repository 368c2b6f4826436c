import { collectGarbage } from "@swhub/api/services/blobs";
import type { Handler } from "../handlers";

/** `blobs.gc`: drops abandoned uploads, unused claims and unreferenced blobs older than the cut-off. */
export const collectGarbageHandler: Handler<"blobs.gc"> = async (payload, ctx) => {
  ctx.phase("collect");
  const report = await collectGarbage(ctx.db, ctx.blobs, { olderThanSeconds: payload.olderThanSeconds });
  ctx.log(
    `dropped ${report.uploads} uploads and ${report.blobs} blobs (${report.bytes} bytes), ${report.strayFiles} stray files`,
  );
  return { ...report };
};
