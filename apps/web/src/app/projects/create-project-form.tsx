"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { alertClass, buttonClass, inputClass, labelClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { routes } from "~/lib/routes";
import { useTRPC } from "~/trpc/react";

/** Any signed-in user may create a project; they become its owner and land on its runtimes. */
export function CreateProjectForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const create = useMutation(
    trpc.project.create.mutationOptions({
      onSuccess(project) {
        router.push(routes.project(project.name));
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      name: String(form.get("name") ?? ""),
      description: String(form.get("description") ?? ""),
      isPublic: form.get("visibility") === "public",
    });
  }
  return (
    <form
      onSubmit={onSubmit}
      aria-labelledby={`${id}-title`}
      className="rounded-xl border border-border bg-surface p-5 shadow-sm"
      noValidate
    >
      <h2 id={`${id}-title`} className="mb-4 font-medium">
        New project
      </h2>
      <div className="grid gap-4 sm:grid-cols-[1fr_2fr_auto_auto] sm:items-end">
        <div>
          <label htmlFor={`${id}-name`} className={labelClass}>
            Project name
          </label>
          <input
            id={`${id}-name`}
            name="name"
            required
            autoCapitalize="none"
            spellCheck={false}
            placeholder="vision-team"
            className={inputClass}
          />
        </div>
        <div>
          <label htmlFor={`${id}-description`} className={labelClass}>
            Description <span className="font-normal text-muted">(optional)</span>
          </label>
          <input id={`${id}-description`} name="description" className={inputClass} />
        </div>
        <fieldset className="flex h-10 items-center gap-3 text-sm">
          <legend className="sr-only">Visibility</legend>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="visibility" value="private" defaultChecked className="accent-accent" />
            Private
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="visibility" value="public" className="accent-accent" />
            Public
          </label>
        </fieldset>
        <button type="submit" className={buttonClass} disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create project"}
        </button>
      </div>
      {create.error ? (
        <p role="alert" className={`${alertClass} mt-4`}>
          {describeError(create.error)}
        </p>
      ) : null}
    </form>
  );
}
