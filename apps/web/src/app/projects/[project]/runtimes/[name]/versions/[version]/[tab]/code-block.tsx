import { CopyButton } from "~/components/copy-button";

/** A file's text as it is, scrollable, with a copy button and line numbers for pointing at lines. */
export function CodeBlock({ text, label }: { text: string; label: string }) {
  const lines = text.replace(/\n$/, "").split("\n");
  return (
    <figure className="overflow-hidden rounded-xl border border-border bg-surface shadow-sm">
      <figcaption className="flex items-center justify-between border-b border-border px-3 py-1.5 text-xs text-muted">
        <span className="font-mono">{label}</span>
        <CopyButton text={text} label={`Copy ${label}`} className="font-medium text-accent hover:underline" />
      </figcaption>
      <pre className="max-h-[70vh] overflow-auto py-2 font-mono text-xs leading-5">
        {lines.map((line, i) => (
          <div key={i} className="flex">
            <span aria-hidden="true" className="w-12 shrink-0 select-none pr-3 text-right text-muted">
              {i + 1}
            </span>
            <code className="whitespace-pre pr-4">{line}</code>
          </div>
        ))}
      </pre>
    </figure>
  );
}
