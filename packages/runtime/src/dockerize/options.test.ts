import { describe, expect, it } from "vitest";
import { resolveOutputs } from "./options";

const amd64 = { os: "linux", architecture: "amd64" };
const arm64 = { os: "linux", architecture: "arm64" };
const source = { bundlePath: "/s/rt/ab/abcd.swrt", name: "rt", snapshotDir: "/s/workdir/rt/ab/abcd" };

describe("where the image goes", () => {
  it("writes an OCI layout under the snapshot when told neither to push nor where to write", () => {
    expect(resolveOutputs(source, {}, [amd64])).toEqual({
      push: false,
      ociLayout: "/s/workdir/rt/ab/abcd/export/docker/oci",
      workDir: "/s/workdir/rt/ab/abcd/export/docker/cache",
    });
    expect(resolveOutputs(source, { push: true, workDir: "/c" }, [amd64])).toEqual({
      push: true,
      workDir: "/c",
    });
  });

  it("needs a work dir and a destination without a snapshot, and one platform for a docker archive", () => {
    const bare = { bundlePath: "/b.swrt", name: "rt" };
    expect(() => resolveOutputs(bare, { push: true }, [amd64])).toThrow(/needs a work directory/);
    expect(() => resolveOutputs(bare, { workDir: "/c" }, [amd64])).toThrow(
      "nothing to write: push the image, or name an OCI layout or docker archive",
    );
    expect(() => resolveOutputs(source, { dockerArchive: "/x.tar" }, [amd64, arm64])).toThrow(
      "a docker archive holds one platform, and 2 were asked for",
    );
  });
});
