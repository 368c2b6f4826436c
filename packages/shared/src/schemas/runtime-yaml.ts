import { parseDocument } from "yaml";
import { z } from "zod";
import { AppError } from "../errors";
import { runtimeNameProblem } from "../names";
import { dependenciesSchema } from "./dependencies";
import { describe, parseWith } from "./issues";

export const archs = ["amd64", "arm64", "noarch"] as const;
export type Arch = (typeof archs)[number];
export const DEFAULT_OS = "ubuntu:20.04";

/** YAML turns `3.10` into the number 3.1; a number like that almost always means an unquoted X.1Y. */
const pythonSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value).trim();
  const match = /^(\d+)\.(\d+)(\.\d+)?$/.exec(text);
  if (!match) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not a Python version; expected X.Y such as "3.11"`,
    });
    return z.NEVER;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major !== 3 || minor < 6) {
    const hint =
      typeof value === "number" && major === 3
        ? `; if you meant 3.${minor}0, quote it: python: "3.${minor}0"`
        : "";
    ctx.addIssue({ code: "custom", message: `Python ${text} is not supported (need 3.6 or newer)${hint}` });
    return z.NEVER;
  }
  return { xy: `${major}.${minor}`, full: text };
});

const versionLike = (what: string, pattern: RegExp, example: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const text = String(value).trim();
    if (text === "") return "";
    if (!pattern.test(text)) {
      ctx.addIssue({
        code: "custom",
        message: `"${text}" is not a ${what} version; expected something like ${example}`,
      });
      return z.NEVER;
    }
    return text;
  });

const stringList = (what: string) =>
  z
    .union([z.string(), z.array(z.string(), { error: `expected ${what} or a list of them` })], {
      error: `expected ${what} or a list of them`,
    })
    .transform((v) =>
      typeof v === "string"
        ? v.trim() === ""
          ? []
          : v.trim().split(/\s+/)
        : v.filter((s) => s.trim() !== ""),
    );

const archSchema = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((value, ctx) => {
    const list = typeof value === "string" ? [value] : value;
    for (const [i, arch] of list.entries()) {
      if (!(archs as readonly string[]).includes(arch.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          message: `unknown architecture "${arch}"; expected amd64, arm64 or noarch`,
          path: typeof value === "string" ? [] : [i],
        });
      }
    }
    return list.map((a) => a.toLowerCase() as Arch);
  });

const environmentSchema = z
  .object({
    python: pythonSchema.optional(),
    arch: archSchema,
    os: z
      .string()
      .default(DEFAULT_OS)
      .transform((s) => s.trim().toLowerCase()),
    cuda: versionLike("CUDA", /^\d+\.\d+$/, '"11.7" or "12.4"').default(""),
    cudnn: versionLike("cuDNN", /^\d+$/, '"8"').default(""),
    docker: z.object({ image: z.string().default("") }).default({ image: "" }),
    starwhale_version: z.string().default(""),
  })
  .superRefine((env, ctx) => {
    if (env.cudnn && !env.cuda)
      ctx.addIssue({ code: "custom", message: "cudnn needs cuda to be set too", path: ["cudnn"] });
  });

const configsSchema = z
  .object({
    pip: z
      .object({
        index_url: z.string().default(""),
        extra_index_url: stringList("a URL").default([]),
        trusted_host: stringList("a host").default([]),
      })
      .default({ index_url: "", extra_index_url: [], trusted_host: [] }),
    conda: z
      .object({
        channels: z.array(z.string(), { error: "expected a list of channel names" }).default(["conda-forge"]),
        condarc: z.record(z.string(), z.unknown(), { error: "expected a mapping" }).default({}),
      })
      .default({ channels: ["conda-forge"], condarc: {} }),
    docker: z.object({ image: z.string().default("") }).default({ image: "" }),
  })
  .default({
    pip: { index_url: "", extra_index_url: [], trusted_host: [] },
    conda: { channels: ["conda-forge"], condarc: {} },
    docker: { image: "" },
  });

/**
 * runtime.yaml (spec §2, api_version 1.1). Unknown top-level keys are ignored, as Starwhale does; the legacy
 * `python_version` and `pip_req` fields are folded into `environment.python` and `dependencies`.
 * Unlike Starwhale, any Python 3.6+ is accepted, and any CUDA X.Y.
 */
export const runtimeYamlSchema = z
  .object({
    name: z
      .string({
        error: (i) => (i.input === undefined ? "is required" : `expected a string, got ${describe(i.input)}`),
      })
      .transform((s) => s.trim())
      .superRefine((name, ctx) => {
        const problem = runtimeNameProblem(name);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    mode: z
      .enum(["venv", "conda"], {
        error: (i) => `unsupported mode ${describe(i.input)}; expected venv or conda`,
      })
      .default("venv"),
    api_version: z
      .union([z.string(), z.number()])
      .default("1.1")
      .transform((v, ctx) => {
        if (String(v) !== "1.1")
          ctx.addIssue({ code: "custom", message: `unsupported api_version "${v}"; expected "1.1"` });
        return "1.1" as const;
      }),
    environment: environmentSchema.default({
      arch: [],
      os: DEFAULT_OS,
      cuda: "",
      cudnn: "",
      docker: { image: "" },
      starwhale_version: "",
    }),
    dependencies: dependenciesSchema,
    configs: configsSchema,
    hooks: z.object({ pre: z.string().optional(), post: z.string().optional() }).optional(),
  })
  .passthrough();

export type RuntimeYaml = z.output<typeof runtimeYamlSchema>;

/** Folds Starwhale's legacy top-level fields into their modern places before validation. */
function foldLegacy(doc: Record<string, unknown>): Record<string, unknown> {
  const out = { ...doc };
  const env = (
    typeof out.environment === "object" && out.environment !== null ? { ...out.environment } : {}
  ) as Record<string, unknown>;
  if (out.python_version !== undefined && env.python === undefined) env.python = out.python_version;
  if (out.environment !== undefined || env.python !== undefined) out.environment = env;
  if (typeof out.pip_req === "string" && out.pip_req.trim() !== "") {
    out.dependencies = [...(Array.isArray(out.dependencies) ? out.dependencies : []), out.pip_req];
  }
  delete out.python_version;
  delete out.pip_req;
  return out;
}

/** Parses and validates the text of a runtime.yaml. `source` names the file in error messages. */
export function parseRuntimeYaml(text: string, source = "runtime.yaml"): RuntimeYaml {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0].line;
    throw new AppError(
      "invalid_input",
      `${source}${line ? ` line ${line}` : ""}: broken YAML: ${first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AppError(
      "invalid_input",
      `${source}: expected a mapping with at least "name", got ${describe(value)}`,
    );
  }
  return parseWith(runtimeYamlSchema, foldLegacy(value as Record<string, unknown>), source);
}
