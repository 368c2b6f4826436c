// `conda-sw-lock.yaml`: conda's export with its `pip:` item replaced by pip freeze, because conda's own pip list
// loses VCS and URL installs (Starwhale issue #2156).
import { stringify } from "yaml";
import type { CondaEnvExport } from "./conda";

/** Starwhale's filter on the freeze for conda: no comments, and no local files unless asked for. */
export function condaPipLines(freezeLines: string[], includeLocalWheel: boolean): string[] {
  return freezeLines
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .filter((line) => includeLocalWheel || !(line.endsWith(".whl") || line.includes("@ file://")));
}

/** Replaces (or drops, when empty) the `pip:` item; the export has one only when pip-installed packages exist. */
export function replacePipSection(exported: CondaEnvExport, pipLines: string[]): CondaEnvExport {
  const dependencies: NonNullable<CondaEnvExport["dependencies"]> = [];
  for (const dep of exported.dependencies ?? []) {
    if (typeof dep === "object" && dep !== null && "pip" in dep) {
      const { pip: _, ...rest } = dep;
      const replaced = pipLines.length > 0 ? { ...rest, pip: pipLines } : rest;
      if (Object.keys(replaced).length > 0) dependencies.push(replaced);
      continue;
    }
    if (dep) dependencies.push(dep);
  }
  return { ...exported, dependencies };
}

/** YAML in the shape PyYAML's `safe_dump(default_flow_style=False)` gives Starwhale: sorted keys, flush lists. */
export function renderCondaLock(exported: CondaEnvExport): string {
  return stringify(exported, { indentSeq: false, sortMapEntries: true, lineWidth: 0, singleQuote: true });
}
