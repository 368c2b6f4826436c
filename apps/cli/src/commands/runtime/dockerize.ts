import { defineCommand } from "../../command";
import { UsageError } from "../../errors";
import { arg, choice, choiceList, flag, list, text } from "../../parse/options";

export const platforms = ["amd64", "arm64"] as const;
export const builders = ["native", "buildx"] as const;

export interface DockerizeOptions {
  runtime: string;
  /** Image references to tag; repeatable. */
  tags: string[];
  /** Push the image to its registry. */
  push: boolean;
  /** Target platforms, deduplicated; default amd64. */
  platforms: (typeof platforms)[number][];
  /** Print the Dockerfile (and, for buildx, the commands) without building. */
  dryRun: boolean;
  /** `native` builds the OCI image itself, no daemon needed; `buildx` runs `docker buildx`. */
  builder: (typeof builders)[number];
  /** buildx: create Starwhale's multi-arch builder if missing. */
  useStarwhaleBuilder: boolean;
  /** buildx: reset qemu-user-static first. */
  resetQemuStatic: boolean;
  /** Write the image as an OCI layout into this directory. */
  ociLayout?: string;
  /** Write the image as a `docker load`-able tar archive. */
  dockerArchive?: string;
}

export const dockerizeCommand = defineCommand({
  name: "dockerize",
  summary: "Build an OCI image of a runtime, without a Docker daemon",
  args: { runtime: arg("runtime", "runtime URI in the standalone instance") },
  options: {
    tag: list("-t, --tag <image>", "image reference to tag, e.g. registry/name:tag; repeatable"),
    push: flag("--push", "push the image to the registry"),
    platform: choiceList(
      "--platform <platform>",
      "target platform; repeatable for a multi-platform image",
      platforms,
      ["amd64"],
    ),
    dryRun: flag("--dry-run", "print the Dockerfile and what would run, build nothing"),
    builder: choice(
      "--builder <builder>",
      "native (built in, daemonless) or buildx (docker buildx)",
      builders,
    ),
    useStarwhaleBuilder: flag(
      "--use-starwhale-builder",
      "buildx: create the starwhale multi-arch builder if missing",
    ),
    resetQemuStatic: flag("--reset-qemu-static", "buildx: reset qemu-user-static before building"),
    ociLayout: text("--oci-layout <dir>", "also write the image as an OCI layout into DIR"),
    dockerArchive: text("--docker-archive <file>", "also write the image as a docker-archive tar to FILE"),
  },
  examples: [
    "swcli runtime dockerize pytorch -t registry.example.com/ml/pytorch:v1 --push",
    "swcli runtime dockerize pytorch -t pytorch:v1 --platform amd64 --platform arm64 --oci-layout ./image",
    "swcli runtime dockerize pytorch --dry-run",
  ],
  parse(raw): DockerizeOptions {
    const wantsBuildx = raw.useStarwhaleBuilder || raw.resetQemuStatic;
    if (raw.builder === "native" && wantsBuildx) {
      const option = raw.useStarwhaleBuilder ? "--use-starwhale-builder" : "--reset-qemu-static";
      throw new UsageError(`${option} needs --builder buildx`);
    }
    return {
      runtime: raw.runtime,
      tags: raw.tag,
      push: raw.push,
      platforms: raw.platform,
      dryRun: raw.dryRun,
      builder: raw.builder ?? (wantsBuildx ? "buildx" : "native"),
      useStarwhaleBuilder: raw.useStarwhaleBuilder,
      resetQemuStatic: raw.resetQemuStatic,
      ociLayout: raw.ociLayout,
      dockerArchive: raw.dockerArchive,
    };
  },
  handler: () => import("../../handlers/runtime/dockerize").then((module) => module.dockerize),
});
