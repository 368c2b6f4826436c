/**
 * The documented `-o json` shapes, one per read command. Scripts depend on them: add fields freely, but never
 * rename or remove one. Rules for all of them:
 * - keys are snake_case, as in Starwhale's files;
 * - version ids are always full (no 12-character short form; that is for people);
 * - times are ISO 8601 strings with a zone (`2026-11-27T20:52:04.000Z`), sizes are integers in bytes;
 * - a list command prints a JSON array (possibly empty), never null.
 */

/** `swcli instance list`: one item per configured instance. Tokens are never printed. */
export interface InstanceJson {
  alias: string;
  uri: string;
  /** `standalone` for local, `cloud` for a server. */
  type: string;
  user_name: string | null;
  user_role: string | null;
  current_project: string | null;
  /** As the config file has it: Starwhale's `2026-11-27 20:52:04 UTC` text, not ISO 8601. */
  updated_at: string | null;
  /** Whether this is `current_instance`. */
  current: boolean;
  logged_in: boolean;
}

/** `swcli instance info [INSTANCE]`. */
export interface InstanceInfoJson extends InstanceJson {
  /** The standalone store's root; null for a server instance. */
  storage_root: string | null;
  config_path: string;
}

/** `swcli project list`: one item per project on the instance. */
export interface ProjectJson {
  instance: string;
  name: string;
  /** The server's id; for the standalone instance, the name. */
  id: string;
  current: boolean;
  owner: string | null;
  created_at: string | null;
}

/**
 * `swcli runtime list`: one item per runtime version on the page asked for (`--page`, `--size`), runtimes by
 * name, each newest first; `-fl latest` keeps only each runtime's latest version, `-sr` adds removed ones.
 */
export interface RuntimeListItemJson {
  project: string;
  name: string;
  version: string;
  tags: string[];
  size: number;
  created_at: string;
  removed: boolean;
  /** Server only: the owner's name; null on the standalone instance. */
  owner: string | null;
}

/** `swcli runtime history RUNTIME`: one item per version, newest first. */
export interface RuntimeHistoryItemJson {
  version: string;
  tags: string[];
  size: number;
  created_at: string;
}

/** `swcli runtime info RUNTIME [-of …]`: `basic` always; the other sections when the filter asks for them. */
export interface RuntimeInfoJson {
  basic: {
    name: string;
    version: string;
    uri: string;
    project: string;
    tags: string[];
    size: number;
    created_at: string;
    /** Standalone only: the bundle file and the extracted snapshot directory (null when not extracted). */
    bundle_path: string | null;
    snapshot_workdir: string | null;
    /** From the manifest: `venv` or `conda`, Python X.Y, and whether the bundle holds a packed environment. */
    mode?: string;
    python?: string;
    packed_env?: boolean;
  };
  /** With `-of runtime_yaml` or `all`: the text of runtime.yaml. */
  runtime_yaml?: string;
  /** With `-of manifest` or `all`: `_manifest.yaml`, parsed. */
  manifest?: Record<string, unknown>;
  /** With `-of lock` or `all`: each lock file by its path inside the bundle, as text. */
  lock?: Record<string, string>;
}

/** `swcli runtime tag RUNTIME [TAGS…]`: the version's tags (after the change, when tags were given). */
export interface RuntimeTagsJson {
  name: string;
  version: string;
  tags: string[];
  /** With `-q`: the tags that were given but not added or removed. */
  skipped?: string[];
}

/** `swcli runtime extract`. */
export interface RuntimeExtractJson {
  path: string;
  /** `existed`: the target already held the runtime and was kept (no `-f`). */
  status: "extracted" | "existed";
}

/** `swcli runtime remove` and `recover`: the versions moved (or deleted for good with `remove -f`). */
export interface RuntimeRemoveJson {
  project: string;
  name: string;
  versions: string[];
  /** `remove -f`: deleted, not recoverable. */
  permanent: boolean;
}

/** `swcli runtime copy`. */
export interface RuntimeCopyJson {
  /** `skipped`: the destination had the version already (tags were still copied); `-f` overwrites. */
  status: "copied" | "overwritten" | "skipped";
  src: string;
  dest: string;
  version: string;
  /** User tags put on the destination version. */
  tags: string[];
  /** Tags another destination version already holds (copied only with `-f`). */
  skipped_tags: string[];
}

/** `swcli runtime activate --print` in JSON mode: what to run, and the environment. */
export interface RuntimeActivateJson {
  command: string;
  mode: string;
  prefix: string;
  restored: boolean;
}

/** `swcli gc`: what was deleted (or, with `--dry-run`, would be). */
export interface GcJson {
  dry_run: boolean;
  versions: { project: string; name: string; version: string; size: number }[];
  bytes: number;
  /** Temporary files of killed swcli processes, and Starwhale's project recycle bin, by path. */
  other: string[];
}

/** `swcli runtime build`: the version just built. */
export interface RuntimeBuildJson {
  /** `local/project/<project>/runtime/<name>/version/<version>`. */
  uri: string;
  project: string;
  name: string;
  version: string;
  /** Every tag the version has after the build: `latest`, its `vN`, and the `-t` tags. */
  tags: string[];
  mode: "venv" | "conda";
  /** The .swrt bundle: bytes and `sha256:<hex>`. */
  size: number;
  digest: string;
  bundle_path: string;
  snapshot_workdir: string;
  /** The lock file's path inside the bundle (`dependencies/.starwhale/lock/…`); null when the build did not lock. */
  lock_file: string | null;
  /** How many distributions the locked environment holds; null when the build did not lock. */
  locked_distributions: number | null;
  /** `--docker`: the image recorded, `repo:tag@sha256:…` when its registry answered; null otherwise. */
  image: string | null;
}

/** `swcli runtime lock`: the lock file written (or printed with `--stdout`). */
export interface RuntimeLockJson {
  /** Where the file was written; null with `--stdout`. */
  path: string | null;
  /** `requirements-sw-lock.txt` or `conda-sw-lock.yaml`. */
  file_name: string;
  /** The locked environment. */
  prefix: string;
  mode: "venv" | "conda";
  /** X.Y.Z of the environment's Python. */
  python_version: string;
  /** The lock file's text. */
  content: string;
}

/** `swcli runtime dockerize RUNTIME …` (native builder): the image made, and where it went. */
export interface RuntimeDockerizeJson {
  name: string;
  version: string;
  /** The image's digest: of the OCI index with several platforms, else of the manifest. */
  digest: string;
  media_type: string;
  platforms: string[];
  /** Every reference the image was tagged with, normalised (`docker.io/library/app:1`). */
  tags: string[];
  base: { name: string; digest: string; python: string; python_version: string };
  layers: {
    /** env-config: the links and pyvenv.cfg that tie a prebuilt env layer to the base's interpreter. */
    kind: "bundle" | "env" | "env-config";
    platform: string | null;
    digest: string;
    size: number;
    /** Reused from an earlier dockerize of the same version. */
    cached: boolean;
    /** env layers: the packed environment as it is (prebuilt), relocated from it (packed), or by pip. */
    from: "prebuilt" | "packed" | "pip" | null;
  }[];
  /** One item per repository pushed to. */
  pushed: { references: string[]; digest: string; uploaded: number; mounted: number; existing: number }[];
  oci_layout: string | null;
  docker_archive: string | null;
  dockerfile: string | null;
}

/**
 * `swcli runtime dockerize RUNTIME --dry-run`: what would be built, and the equivalent Dockerfile. With
 * `--builder buildx` (dry run or not) the same shape: the Dockerfile used and the docker commands run.
 */
export interface RuntimeDockerizePlanJson {
  builder: "native" | "buildx";
  name: string;
  version: string;
  tags: string[];
  platforms: string[];
  /** Native only: the base image, and its digest when the registry answered (else `base_problem` says why). */
  base: string | null;
  base_digest: string | null;
  base_problem: string | null;
  layers: { kind: "bundle" | "env"; path: string; from: string }[];
  push: boolean;
  oci_layout: string | null;
  docker_archive: string | null;
  dockerfile: string;
  dockerfile_path: string | null;
  /** buildx only: the docker commands that would run. */
  commands: string[][];
  notes: string[];
}
