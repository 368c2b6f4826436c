import type { EnvironmentChange, EnvironmentField } from "@swhub/shared/runtime-diff";

const labels: Record<EnvironmentField, string> = {
  python: "Python",
  cuda: "CUDA",
  cudnn: "cuDNN",
  arch: "Architecture",
  mode: "Environment mode",
  image: "Base image",
};

/** Environment facts that differ, each as before → after; these matter more than any one package. */
export function EnvironmentChanges({ changes }: { changes: EnvironmentChange[] }) {
  if (changes.length === 0) return null;
  return (
    <section aria-labelledby="env-changes-title" className="space-y-3">
      <h2 id="env-changes-title" className="text-base font-semibold">
        Environment
      </h2>
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="environment-changes">
        {changes.map((c) => (
          <li key={c.field} className="rounded-xl border border-accent/40 bg-surface p-4 shadow-sm">
            <p className="text-xs font-medium uppercase tracking-wide text-muted">{labels[c.field]}</p>
            <p className="mt-1 flex flex-wrap items-center gap-2 font-mono text-sm">
              <span className="break-all text-rm line-through decoration-1">{c.from || "none"}</span>
              <span aria-hidden="true" className="text-muted">
                →
              </span>
              <span className="sr-only">changed to</span>
              <span className="break-all font-semibold text-up">{c.to || "none"}</span>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
