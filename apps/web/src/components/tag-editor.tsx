"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { describeError, errorCode } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";
import { chipClass } from "./ui";

const isSystemTag = (tag: string) => tag === "latest" || /^v\d+$/.test(tag);

/** A version's tags with inline add (a small field) and remove (× on each of the team's tags). */
export function TagEditor({
  project,
  name,
  version,
  alias,
  tags,
  editable,
}: {
  project: string;
  name: string;
  version: string;
  alias: string;
  tags: string[];
  editable: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [adding, setAdding] = useState(false);
  const done = {
    onSuccess: () => {
      setAdding(false);
      router.refresh();
    },
  };
  const add = useMutation(trpc.runtime.tagAdd.mutationOptions(done));
  const remove = useMutation(trpc.runtime.tagRemove.mutationOptions(done));
  const error = add.error ?? remove.error;
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const tag = String(new FormData(event.currentTarget).get("tag") ?? "").trim();
    if (tag) add.mutate({ project, name, version, tags: [tag] });
  }
  // A tag another version holds can be moved here, as `swcli runtime tag --force` does.
  const taken = add.error && errorCode(add.error) === "conflict" ? add.variables?.tags[0] : undefined;
  return (
    <div className="flex flex-col gap-1">
      <ul className="flex flex-wrap items-center gap-1" aria-label={`Tags of ${alias}`}>
        {tags.map((tag) => (
          <li key={tag} className={isSystemTag(tag) ? `${chipClass} text-muted` : chipClass}>
            {tag}
            {editable && !isSystemTag(tag) ? (
              <button
                type="button"
                aria-label={`Remove tag ${tag} from ${alias}`}
                className="-mr-1 rounded-full px-1 text-muted hover:bg-border hover:text-text"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ project, name, version, tags: [tag] })}
              >
                ×
              </button>
            ) : null}
          </li>
        ))}
        {editable && !adding ? (
          <li>
            <button
              type="button"
              onClick={() => setAdding(true)}
              className="rounded-full border border-dashed border-border px-2 py-0.5 text-xs text-muted hover:border-accent hover:text-accent"
              aria-label={`Add a tag to ${alias}`}
            >
              + tag
            </button>
          </li>
        ) : null}
      </ul>
      {adding ? (
        <form onSubmit={onSubmit} className="flex items-center gap-1">
          <label className="sr-only" htmlFor={`tag-${version}`}>
            New tag for {alias}
          </label>
          <input
            id={`tag-${version}`}
            name="tag"
            // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to add a tag
            autoFocus
            placeholder="stable"
            autoCapitalize="none"
            spellCheck={false}
            onKeyDown={(e) => {
              if (e.key === "Escape") setAdding(false);
            }}
            className="h-7 w-28 rounded-md border border-border bg-surface px-2 font-mono text-xs"
          />
          <button
            type="submit"
            className="h-7 rounded-md bg-accent px-2 text-xs font-medium text-accent-fg"
            disabled={add.isPending}
          >
            Add
          </button>
          <button
            type="button"
            className="h-7 rounded-md px-2 text-xs text-muted"
            onClick={() => setAdding(false)}
          >
            Cancel
          </button>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-danger">
          {describeError(error)}
          {taken ? (
            <button
              type="button"
              className="ml-2 font-medium text-accent underline"
              onClick={() => add.mutate({ project, name, version, tags: [taken], force: true })}
            >
              Move “{taken}” to {alias}
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
