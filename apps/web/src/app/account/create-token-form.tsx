"use client";

import type { RouterOutputs } from "@swhub/api/root";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId } from "react";
import { alertClass, buttonClass, inputClass, labelClass, selectClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

const expiries = [
  { value: "", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
];

export function CreateTokenForm({
  onCreated,
}: {
  onCreated: (token: RouterOutputs["token"]["create"]) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const create = useMutation(trpc.token.create.mutationOptions({ onSuccess: onCreated }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = Number(form.get("expires") || 0);
    create.mutate(
      {
        name: String(form.get("name") ?? ""),
        expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
      },
      { onSuccess: () => formElement.reset() },
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
        <div>
          <label htmlFor={`${id}-name`} className={labelClass}>
            Token name
          </label>
          <input
            id={`${id}-name`}
            name="name"
            placeholder="laptop, ci-nightly…"
            className={inputClass}
            maxLength={100}
          />
        </div>
        <div>
          <label htmlFor={`${id}-expires`} className={labelClass}>
            Expires
          </label>
          <select id={`${id}-expires`} name="expires" className={`${selectClass} w-full`}>
            {expiries.map((e) => (
              <option key={e.value} value={e.value}>
                {e.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass} disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
      {create.error ? (
        <p role="alert" className={alertClass}>
          {describeError(create.error)}
        </p>
      ) : null}
    </form>
  );
}
