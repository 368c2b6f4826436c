import type { VersionInfo } from "@swhub/api/services/runtime-info";
import { environmentOf } from "@swhub/shared/runtime-diff";
import type { ReactNode } from "react";
import { cardClass } from "~/components/ui";
import { formatBytes, formatDateTime, plural } from "~/lib/format";
import { ImagesTable } from "./images-table";

/** One labelled fact; an empty value reads as "none" rather than leaving a hole. */
function Fact({ term, children, mono }: { term: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-muted">{term}</dt>
      <dd className={`mt-0.5 break-words text-sm ${mono ? "font-mono text-xs" : ""}`}>
        {children === "" || children === null || children === undefined ? (
          <span className="text-muted">none</span>
        ) : (
          children
        )}
      </dd>
    </div>
  );
}

/** Declared dependencies from the manifest, by kind, as runtime.yaml listed them. */
function declaredDependencies(manifest: Record<string, unknown>): { kind: string; items: string[] }[] {
  const deps = (manifest.dependencies ?? {}) as { raw_deps?: { kind: string; deps: unknown }[] };
  return (deps.raw_deps ?? []).map((d) => ({
    kind: d.kind,
    items: Array.isArray(d.deps)
      ? d.deps.map((x) =>
          typeof x === "string"
            ? x
            : `${(x as { src?: string }).src ?? "?"} → ${(x as { dest?: string }).dest ?? "?"}`,
        )
      : [String(d.deps)],
  }));
}

export function OverviewTab({ info }: { project: string; info: VersionInfo }) {
  const env = environmentOf(info.manifest);
  const declared = declaredDependencies(info.manifest);
  return (
    <div className="space-y-6">
      <section aria-labelledby="environment-title" className={`${cardClass} p-5`}>
        <h2 id="environment-title" className="mb-4 text-base font-semibold">
          Environment
        </h2>
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4">
          <Fact term="Python">{env.python}</Fact>
          <Fact term="Mode">{env.mode}</Fact>
          <Fact term="Arch">{env.arch}</Fact>
          <Fact term="CUDA">{env.cuda}</Fact>
          <Fact term="cuDNN">{env.cudnn}</Fact>
          <Fact term="Base image" mono>
            {env.image}
          </Fact>
          <Fact term="Lock files">
            {Object.keys(info.lockFiles).length
              ? plural(Object.keys(info.lockFiles).length, "file")
              : "not locked"}
          </Fact>
          <Fact term="Files">{plural(info.fileCount, "file")}</Fact>
        </dl>
      </section>
      <section aria-labelledby="bundle-title" className={`${cardClass} p-5`}>
        <h2 id="bundle-title" className="mb-4 text-base font-semibold">
          Bundle
        </h2>
        <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Fact term="Size">{formatBytes(info.size)}</Fact>
          <Fact term="Created">{formatDateTime(info.createdAt)}</Fact>
          <Fact term="Creator">{info.owner.name}</Fact>
          <Fact term="Runtime owner">{info.runtime.owner.name}</Fact>
          <div className="sm:col-span-2 lg:col-span-4">
            <Fact term="Digest" mono>
              {info.digest}
            </Fact>
          </div>
        </dl>
      </section>
      {declared.length > 0 ? (
        <section aria-labelledby="declared-title" className={`${cardClass} p-5`}>
          <h2 id="declared-title" className="mb-3 text-base font-semibold">
            Declared dependencies
          </h2>
          <ul className="space-y-2 text-sm">
            {declared.map((d, i) => (
              <li key={i} className="flex flex-wrap gap-2">
                <span className="w-28 shrink-0 text-xs font-medium uppercase tracking-wide text-muted">
                  {d.kind.replace(/_/g, " ")}
                </span>
                <span className="flex flex-wrap gap-1">
                  {d.items.map((item) => (
                    <code key={item} className="rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                      {item}
                    </code>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ImagesTable images={info.images} />
    </div>
  );
}
