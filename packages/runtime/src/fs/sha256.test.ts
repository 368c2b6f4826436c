import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { sha256File } from "./sha256";

it("digests a file as sha256:<hex>, streaming", async () => {
  const work = await mkdtemp(join(tmpdir(), "swhub-sha-"));
  try {
    writeFileSync(join(work, "abc"), "abc");
    // FIPS 180-2 test vector.
    expect(await sha256File(join(work, "abc"))).toBe(
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const big = randomBytes(5 << 20);
    writeFileSync(join(work, "big"), big);
    expect(await sha256File(join(work, "big"))).toBe(
      `sha256:${createHash("sha256").update(big).digest("hex")}`,
    );
    await expect(sha256File(join(work, "missing"))).rejects.toThrow("ENOENT");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
