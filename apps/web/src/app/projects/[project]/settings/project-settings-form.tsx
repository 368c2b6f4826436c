"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { alertClass, buttonClass, cardClass, inputClass, labelClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { routes } from "~/lib/routes";
import { useTRPC } from "~/trpc/react";

export function ProjectSettingsForm({
  project,
  isPublic,
  description,
}: {
  project: string;
  isPublic: boolean;
  description: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const update = useMutation(trpc.project.update.mutationOptions({ onSuccess: () => router.refresh() }));
  const remove = useMutation(
    trpc.project.remove.mutationOptions({ onSuccess: () => router.push(routes.projects()) }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    update.mutate({
      project,
      isPublic: form.get("visibility") === "public",
      description: String(form.get("description") ?? ""),
    });
  }
  return (
    <div className="space-y-5">
      <form onSubmit={onSubmit} className={`${cardClass} space-y-4 p-5`}>
        <div>
          <label htmlFor={`${id}-description`} className={labelClass}>
            Description
          </label>
          <input
            id={`${id}-description`}
            name="description"
            defaultValue={description}
            maxLength={2000}
            className={inputClass}
          />
        </div>
        <fieldset>
          <legend className={labelClass}>Visibility</legend>
          <div className="space-y-2 text-sm">
            <label className="flex items-start gap-2">
              <input
                type="radio"
                name="visibility"
                value="private"
                defaultChecked={!isPublic}
                className="mt-0.5 accent-accent"
              />
              <span>
                <strong>Private</strong> <span className="text-muted">· only members see it</span>
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input
                type="radio"
                name="visibility"
                value="public"
                defaultChecked={isPublic}
                className="mt-0.5 accent-accent"
              />
              <span>
                <strong>Public</strong>{" "}
                <span className="text-muted">
                  · anyone can read and copy its runtimes; only members change them
                </span>
              </span>
            </label>
          </div>
        </fieldset>
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass} disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </button>
          {update.isSuccess ? (
            <span role="status" className="text-sm text-up">
              Saved
            </span>
          ) : null}
        </div>
        {update.error ? (
          <p role="alert" className={alertClass}>
            {describeError(update.error)}
          </p>
        ) : null}
      </form>
      <section
        aria-labelledby={`${id}-danger`}
        className="space-y-3 rounded-xl border border-danger/40 bg-surface p-5"
      >
        <h2 id={`${id}-danger`} className="font-medium text-danger">
          Delete this project
        </h2>
        <p className="text-sm text-muted">
          Its runtimes, versions and tags go with it. This can't be undone.
        </p>
        <ConfirmButton
          label="Delete project"
          question={`Delete ${project} for good?`}
          confirmLabel="Delete"
          pending={remove.isPending}
          onConfirm={() => remove.mutate({ project })}
        />
        {remove.error ? (
          <p role="alert" className={alertClass}>
            {describeError(remove.error)}
          </p>
        ) : null}
      </section>
    </div>
  );
}
