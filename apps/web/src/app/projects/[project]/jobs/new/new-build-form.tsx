"use client";

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { runtimeNameProblem, userTagProblem } from "@swhub/shared/names";
import { parseRuntimeYaml } from "@swhub/shared/schemas";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useMemo, useRef, useState } from "react";
import {
  alertClass,
  buttonClass,
  cardClass,
  inputClass,
  labelClass,
  quietButtonClass,
} from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { routes } from "~/lib/routes";
import { useTRPC } from "~/trpc/react";
import { contextPathProblem, filesNamedBy, normalizePath, packContext } from "./build-context";
import { uploadBlob } from "./upload-blob";

interface PickedFile {
  key: string;
  file: File;
  path: string;
}

type Stage =
  | { kind: "idle" }
  | { kind: "packing" }
  | { kind: "uploading"; share: number }
  | { kind: "submitting" };

const example = `name: my-runtime
mode: venv
environment:
  python: "3.11"
dependencies:
  - requirements.txt
  - wheels:
      - my_package-1.0-py3-none-any.whl
`;

/** One id for this page visit; with the content's digest it makes the request id, so a resubmit makes one job. */
function visitId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}

/**
 * Asks the server to build a runtime: runtime.yaml (pasted or uploaded) and the files it names are packed into a
 * tar in the browser, uploaded with the blob protocol (nothing is sent when the server has the same context), and
 * `job.submitBuild` queues the build; then the job page follows it.
 */
export function NewBuildForm({ project }: { project: string }) {
  const router = useRouter();
  const trpc = useTRPC();
  const submitBuild = useMutation(trpc.job.submitBuild.mutationOptions());
  const ids = useId();
  const [visit] = useState(visitId);
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [yamlText, setYamlText] = useState("");
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [tags, setTags] = useState("");
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const filesInput = useRef<HTMLInputElement>(null);

  const parsed = useMemo(() => {
    if (!yamlText.trim()) return undefined;
    try {
      return { ok: true as const, yaml: parseRuntimeYaml(yamlText) };
    } catch (e) {
      return { ok: false as const, message: (e as Error).message };
    }
  }, [yamlText]);
  const named = parsed?.ok ? filesNamedBy(parsed.yaml) : [];
  const paths = new Set(files.map((f) => normalizePath(f.path)));
  const missing = named.filter((n) => !paths.has(n));

  const onYaml = (text: string) => {
    setYamlText(text);
    if (nameEdited) return;
    try {
      setName(parseRuntimeYaml(text).name);
    } catch {
      // The name field fills in once the text parses.
    }
  };

  const addFiles = (list: FileList | null) => {
    if (!list) return;
    const added = [...list].map((file) => ({
      key: `${file.name}-${file.size}-${Math.random()}`,
      file,
      path: file.name,
    }));
    // A wheel runtime.yaml names under a folder goes there by default.
    for (const item of added) {
      const wanted = named.find((n) => n.split("/").at(-1) === item.file.name);
      if (wanted) item.path = wanted;
    }
    setFiles((current) => [...current.filter((c) => !added.some((a) => a.path === c.path)), ...added]);
    if (filesInput.current) filesInput.current.value = "";
  };

  const fail = (message: string) => {
    setError(message);
    setStage({ kind: "idle" });
    requestAnimationFrame(() => errorRef.current?.focus());
  };

  const problem = (): string | undefined => {
    if (!yamlText.trim()) return "Paste or upload a runtime.yaml first.";
    if (parsed && !parsed.ok) return parsed.message;
    const nameProblem = runtimeNameProblem(name.trim());
    if (nameProblem) return `Runtime name: ${nameProblem}`;
    for (const tag of splitTags(tags)) {
      const tagProblem = userTagProblem(tag);
      if (tagProblem) return `Tag "${tag}": ${tagProblem}`;
    }
    const seen = new Set<string>();
    for (const f of files) {
      const path = normalizePath(f.path);
      const pathProblem = contextPathProblem(path);
      if (pathProblem) return pathProblem;
      if (seen.has(path)) return `Two files would both be ${path}; give one another path.`;
      seen.add(path);
    }
    if (missing.length > 0)
      return `runtime.yaml names ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not added yet.`;
    return undefined;
  };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const bad = problem();
    if (bad) return fail(bad);
    setError(null);
    try {
      setStage({ kind: "packing" });
      const contents = await Promise.all(
        files.map(async (f) => ({
          path: normalizePath(f.path),
          data: new Uint8Array(await f.file.arrayBuffer()),
        })),
      );
      const { tar, digest } = packContext(yamlText, contents);
      setStage({ kind: "uploading", share: 0 });
      await uploadBlob(project, tar, digest, (share) => setStage({ kind: "uploading", share }));
      setStage({ kind: "submitting" });
      const tagList = splitTags(tags);
      const requestId = `web-${visit}-${bytesToHex(sha256(utf8ToBytes(`${digest} ${name.trim()} ${tagList.join(",")}`))).slice(0, 24)}`;
      const { job } = await submitBuild.mutateAsync({
        project,
        runtimeName: name.trim(),
        source: { kind: "yaml", contextDigest: digest, yamlPath: "runtime.yaml" },
        tags: tagList,
        requestId,
      });
      router.push(routes.job(project, job.id));
    } catch (e) {
      fail(e instanceof Error && !("data" in e) ? e.message : describeError(e));
    }
  }

  const busy = stage.kind !== "idle";
  const yamlId = `${ids}-yaml`;
  return (
    <form
      onSubmit={onSubmit}
      // Any edit answers the last complaint; the next submit checks again.
      onChange={() => setError(null)}
      className="space-y-5"
      aria-describedby={error ? `${ids}-error` : undefined}
      noValidate
    >
      {error ? (
        <p
          id={`${ids}-error`}
          ref={errorRef}
          tabIndex={-1}
          role="alert"
          className={alertClass}
          data-testid="build-error"
        >
          {error}
        </p>
      ) : null}

      <section className={`${cardClass} space-y-3 p-4`} aria-labelledby={`${ids}-yaml-title`}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id={`${ids}-yaml-title`} className="font-semibold">
            runtime.yaml
          </h2>
          <label
            className={`${quietButtonClass} cursor-pointer focus-within:ring-2 focus-within:ring-[var(--ring)]`}
          >
            Upload a file…
            <input
              type="file"
              accept=".yaml,.yml,text/yaml"
              className="sr-only"
              aria-label="Upload runtime.yaml"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                if (file) onYaml(await file.text());
              }}
            />
          </label>
        </div>
        <label htmlFor={yamlId} className="sr-only">
          runtime.yaml text
        </label>
        <textarea
          id={yamlId}
          value={yamlText}
          onChange={(e) => onYaml(e.target.value)}
          placeholder={example}
          rows={10}
          spellCheck={false}
          className={`${inputClass} h-auto py-2 font-mono text-xs leading-5`}
          aria-invalid={parsed && !parsed.ok ? true : undefined}
          aria-describedby={`${yamlId}-status`}
        />
        <p
          id={`${yamlId}-status`}
          className={`text-xs ${parsed && !parsed.ok ? "text-danger" : "text-muted"}`}
        >
          {parsed === undefined
            ? "Paste the file, or upload it. The build installs what it lists from the server's package index."
            : parsed.ok
              ? `Looks right: ${parsed.yaml.name}, ${parsed.yaml.mode ?? "venv"} mode${named.length ? `, names ${named.length} file${named.length === 1 ? "" : "s"}` : ""}.`
              : parsed.message}
        </p>
      </section>

      <section className={`${cardClass} space-y-3 p-4`} aria-labelledby={`${ids}-files-title`}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div>
            <h2 id={`${ids}-files-title`} className="font-semibold">
              Requirements files and wheels
            </h2>
            <p className="text-xs text-muted">
              Each goes into the build context at its path, next to runtime.yaml.
            </p>
          </div>
          <label
            className={`${quietButtonClass} cursor-pointer border border-border focus-within:ring-2 focus-within:ring-[var(--ring)]`}
          >
            Add files…
            <input
              ref={filesInput}
              type="file"
              multiple
              className="sr-only"
              aria-label="Add requirements files and wheels"
              onChange={(e) => addFiles(e.target.files)}
            />
          </label>
        </div>
        {named.length > 0 ? (
          <ul aria-label="Files runtime.yaml names" className="flex flex-wrap gap-2 text-xs">
            {named.map((n) => (
              <li
                key={n}
                className={`rounded-full px-2 py-0.5 font-mono ${paths.has(n) ? "bg-up/15 text-up" : "bg-down/15 text-down"}`}
              >
                <span aria-hidden="true">{paths.has(n) ? "✓ " : "! "}</span>
                {n}
                <span className="sr-only">{paths.has(n) ? ", added" : ", missing"}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {files.length > 0 ? (
          <ul className="divide-y divide-border rounded-lg border border-border" aria-label="Added files">
            {files.map((f) => (
              <li key={f.key} className="flex flex-wrap items-center gap-2 px-3 py-2 text-sm">
                <label className="min-w-0 flex-1">
                  <span className="sr-only">Path of {f.file.name} in the build context</span>
                  <input
                    value={f.path}
                    onChange={(e) =>
                      setFiles((all) =>
                        all.map((x) => (x.key === f.key ? { ...x, path: e.target.value } : x)),
                      )
                    }
                    className={`${inputClass} h-9 font-mono text-xs`}
                  />
                </label>
                <span className="text-xs text-muted tabular-nums">{formatBytes(f.file.size)}</span>
                <button
                  type="button"
                  className={quietButtonClass}
                  onClick={() => setFiles((all) => all.filter((x) => x.key !== f.key))}
                  aria-label={`Remove ${f.path}`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted">
            No files yet. A runtime.yaml that only lists pip packages needs none.
          </p>
        )}
      </section>

      <section className={`${cardClass} grid gap-4 p-4 sm:grid-cols-2`} aria-label="Runtime">
        <div>
          <label htmlFor={`${ids}-name`} className={labelClass}>
            Runtime name
          </label>
          <input
            id={`${ids}-name`}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setNameEdited(true);
            }}
            required
            autoComplete="off"
            className={`${inputClass} font-mono`}
            aria-describedby={`${ids}-name-hint`}
          />
          <p id={`${ids}-name-hint`} className="mt-1 text-xs text-muted">
            Taken from runtime.yaml unless you change it. A new version is added if the runtime exists.
          </p>
        </div>
        <div>
          <label htmlFor={`${ids}-tags`} className={labelClass}>
            Tags <span className="font-normal text-muted">(optional)</span>
          </label>
          <input
            id={`${ids}-tags`}
            value={tags}
            onChange={(e) => setTags(e.target.value)}
            placeholder="nightly, gpu"
            autoComplete="off"
            className={inputClass}
            aria-describedby={`${ids}-tags-hint`}
          />
          <p id={`${ids}-tags-hint`} className="mt-1 text-xs text-muted">
            Separated by commas or spaces; latest and vN are added by themselves.
          </p>
        </div>
      </section>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass} disabled={busy}>
          {busy ? "Starting…" : "Start build"}
        </button>
        <span role="status" aria-live="polite" className="text-sm text-muted" data-testid="build-stage">
          {stage.kind === "packing"
            ? "Packing the build context…"
            : stage.kind === "uploading"
              ? `Uploading the build context… ${Math.round(stage.share * 100)}%`
              : stage.kind === "submitting"
                ? "Queuing the build…"
                : ""}
        </span>
      </div>
    </form>
  );
}

function splitTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
