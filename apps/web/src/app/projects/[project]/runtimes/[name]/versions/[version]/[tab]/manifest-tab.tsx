import { stringify } from "yaml";
import { CodeBlock } from "./code-block";

/** `_manifest.yaml` as YAML, the way the bundle has it. */
export function ManifestTab({ manifest }: { manifest: Record<string, unknown> }) {
  return <CodeBlock text={stringify(manifest, { lineWidth: 0 })} label="_manifest.yaml" />;
}
