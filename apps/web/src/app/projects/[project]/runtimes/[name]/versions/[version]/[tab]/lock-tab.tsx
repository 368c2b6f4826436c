import { lockedPackages } from "@swhub/shared/runtime-diff";
import { EmptyState } from "~/components/empty-state";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { CodeBlock } from "./code-block";

/** Each lock file: the packages it pins as a table, and its text. */
export function LockTab({ lockFiles }: { lockFiles: Record<string, string> }) {
  const entries = Object.entries(lockFiles);
  if (entries.length === 0)
    return (
      <EmptyState title="Not locked">
        This version was built without a lock file, so its packages were resolved when it was built. Build
        with <code className="font-mono">swcli runtime build --auto-lock</code> to pin them.
      </EmptyState>
    );
  return (
    <div className="space-y-6">
      {entries.map(([path, text]) => {
        const packages = [...lockedPackages({ [path]: text }).values()].sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        return (
          <section key={path} aria-label={path} className="space-y-3">
            <h2 className="font-mono text-sm font-medium">{path}</h2>
            {packages.length > 0 ? (
              <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
                <table className={tableClass} aria-label={`Packages in ${path}`}>
                  <thead>
                    <tr>
                      <th className={thClass} scope="col">
                        Package
                      </th>
                      <th className={thClass} scope="col">
                        Pinned to
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {packages.map((p) => (
                      <tr key={p.name}>
                        <td className={`${tdClass} font-mono text-xs`}>{p.name}</td>
                        <td className={`${tdClass} break-all font-mono text-xs`}>{p.version ?? p.pin}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <details>
              <summary className="cursor-pointer text-sm font-medium text-accent">Show the file</summary>
              <div className="mt-2">
                <CodeBlock text={text} label={path.split("/").pop() ?? path} />
              </div>
            </details>
          </section>
        );
      })}
    </div>
  );
}
