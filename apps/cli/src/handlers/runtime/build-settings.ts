// What `runtime build` and `runtime lock` share: the settings handed to the engine.
import type { BuildSettings } from "@swhub/runtime/build/settings";
import type { CommandContext } from "../../command";
import { version } from "../../program";
import { pypiSettings } from "../../runtime-env";

export function buildSettings(ctx: CommandContext): BuildSettings {
  const { env } = ctx;
  return {
    env: env.inherited,
    home: env.home,
    toolVersion: version,
    ...(env.SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST
      ? { fixedVersion: env.SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST }
      : {}),
    ...(env.SOURCE_DATE_EPOCH !== undefined ? { sourceDateEpoch: env.SOURCE_DATE_EPOCH } : {}),
    pypi: pypiSettings(ctx),
    imageRepo: env.SW_IMAGE_REPO ?? ctx.config.data.docker?.builtin_image_repo,
    baseImageVersion: env.SW_CUSTOM_BASE_IMAGE_VERSION,
  };
}
