import type { ProgressSink } from "@swhub/shared/progress";
import type { InstanceRef } from "@swhub/shared/uri";

/** One runtime version on one instance, in full names. */
export interface CopyRef {
  instance: InstanceRef;
  project: string;
  name: string;
  version: string;
}

export interface TransferOptions {
  /** Replace the destination's bytes even though it has this version. */
  force: boolean;
  progress: ProgressSink;
  signal?: AbortSignal;
}

/**
 * How bytes and tags move between two instances. The decisions (what the destination is called, whether to skip,
 * which tags go along) are the same in every direction and live in copyRuntime; a transport only carries them out.
 * Local→local is one transport; uploads, downloads and server→server are others.
 */
export interface CopyTransport {
  /** Every tag of the source version (built-in ones included); a missing source is a `not_found` AppError. */
  sourceTags(src: CopyRef): Promise<string[]>;
  /** Whether the destination already has this version. */
  exists(dest: CopyRef): Promise<boolean>;
  /** Puts the bundle at the destination and records the version there, with its own `vN` and `latest`. */
  transfer(src: CopyRef, dest: CopyRef, options: TransferOptions): Promise<void>;
  /**
   * Adds user tags to the destination version. A tag another version holds there moves only with `force`; the
   * tags left alone are returned.
   */
  addTags(dest: CopyRef, tags: string[], options: { force: boolean }): Promise<{ skipped: string[] }>;
}
