import type { VersionDiff } from "@swhub/api/services/runtime-diff";

/** The comparison as Markdown, for a pull request or a chat message. */
export function diffAsMarkdown(name: string, { from, to, diff }: VersionDiff): string {
  const lines = [`### ${name} ${from.alias} → ${to.alias}`, ""];
  for (const e of diff.environment)
    lines.push(`- **${e.field}**: ${e.from || "(none)"} → ${e.to || "(none)"}`);
  if (diff.environment.length) lines.push("");
  if (diff.packages.length) {
    lines.push("| package | change | from | to |", "| --- | --- | --- | --- |");
    for (const p of diff.packages) lines.push(`| ${p.name} | ${p.kind} | ${p.from ?? ""} | ${p.to ?? ""} |`);
    lines.push("");
  }
  lines.push(`${diff.unchangedCount} packages unchanged.`);
  return lines.join("\n");
}
