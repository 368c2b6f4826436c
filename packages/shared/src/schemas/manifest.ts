import { z } from "zod";
import { dependencyKinds } from "./dependencies";

/**
 * A bundle's `_manifest.yaml` (spec §3.4). Reading is lenient (extra keys pass through, missing sections default),
 * so that bundles written by any Starwhale version open; what we write always has every section.
 */
const sha256Pattern = /^sha256:[0-9a-f]{64}$/;

const pipConfigSchema = z
  .object({
    index_url: z.string().default(""),
    extra_index_url: z.union([z.string(), z.array(z.string())]).default([]),
    trusted_host: z.union([z.string(), z.array(z.string())]).default([]),
  })
  .passthrough();

export const manifestLockSchema = z
  .object({
    starwhale_version: z.string().default(""),
    system: z.string().default(""),
    shell: z
      .object({
        python_env: z.string().default(""),
        python_version: z.string().default(""),
        use_conda: z.boolean().default(false),
        use_venv: z.boolean().default(false),
      })
      .passthrough()
      .default({ python_env: "", python_version: "", use_conda: false, use_venv: false }),
    env_name: z.string().default(""),
    env_prefix_path: z.string().default(""),
    env_use_shell: z.boolean().default(false),
    files: z.array(z.string()).default([]),
  })
  .passthrough();

export const runtimeManifestSchema = z
  .object({
    version: z.string().min(1, "is required"),
    created_at: z.string().default(""),
    build: z
      .object({ os: z.string().default(""), sw_version: z.string().default("") })
      .passthrough()
      .optional(),
    configs: z
      .object({
        conda: z
          .object({
            channels: z.array(z.string()).default([]),
            condarc: z.record(z.string(), z.unknown()).default({}),
          })
          .passthrough()
          .optional(),
        docker: z
          .object({ image: z.string().default("") })
          .passthrough()
          .optional(),
        pip: pipConfigSchema.optional(),
      })
      .passthrough()
      .default({}),
    environment: z
      .object({
        mode: z.enum(["venv", "conda"]).default("venv"),
        python: z.coerce.string().default(""),
        arch: z.union([z.string(), z.array(z.string())]).default([]),
        auto_lock_dependencies: z.boolean().default(false),
        lock: manifestLockSchema.optional(),
      })
      .passthrough(),
    dependencies: z
      .object({
        raw_deps: z
          .array(z.object({ kind: z.enum(dependencyKinds), deps: z.unknown() }).passthrough())
          .optional(),
        setup_requires: z.array(z.unknown()).default([]),
        local_packaged_env: z.boolean().default(false),
        pip_pkgs: z.array(z.string()).default([]),
        conda_pkgs: z.array(z.string()).default([]),
        pip_files: z.array(z.string()).default([]),
        conda_files: z.array(z.string()).default([]),
      })
      .passthrough()
      .default({
        setup_requires: [],
        local_packaged_env: false,
        pip_pkgs: [],
        conda_pkgs: [],
        pip_files: [],
        conda_files: [],
      }),
    docker: z
      .object({
        custom_run_image: z.string().default(""),
        builtin_run_image: z
          .object({ repo: z.string(), name: z.string(), tag: z.string(), fullname: z.string() })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
    base_image: z.string().optional(),
    /**
     * swhub's own: the packed environment (`path`) is an image layer ready to push as it is (dockerize's fast
     * path). Starwhale ignores it; a malformed one is dropped, so the bundle still opens (and dockerize restores).
     */
    packed_env_layer: z
      .object({
        path: z.string(),
        media_type: z.string(),
        digest: z.string().regex(sha256Pattern),
        diff_id: z.string().regex(sha256Pattern),
        size: z.number().int().nonnegative(),
        prefix: z.string().startsWith("/"),
        python: z.string(),
        architectures: z.array(z.string()).default([]),
      })
      .passthrough()
      .optional()
      .catch(undefined),
    artifacts: z
      .object({
        runtime_yaml: z.string().default("runtime.yaml"),
        wheels: z.array(z.string()).default([]),
        dependencies: z.array(z.string()).default([]),
        files: z.array(z.unknown()).default([]),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export type RuntimeManifest = z.output<typeof runtimeManifestSchema>;
