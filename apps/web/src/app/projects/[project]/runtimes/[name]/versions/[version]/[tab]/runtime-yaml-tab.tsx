import { EmptyState } from "~/components/empty-state";
import { CodeBlock } from "./code-block";

export function RuntimeYamlTab({ text }: { text: string | null }) {
  if (text === null)
    return (
      <EmptyState title="No runtime.yaml in this bundle">
        It was built without one (for example from a shell or a conda environment); the manifest records what
        was built.
      </EmptyState>
    );
  return <CodeBlock text={text} label="runtime.yaml" />;
}
