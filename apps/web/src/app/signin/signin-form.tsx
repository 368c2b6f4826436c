"use client";

import { useMutation } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { buttonClass, inputClass, labelClass } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

function describeError(error: unknown): string {
  if (error instanceof TRPCClientError && error.data) return error.message;
  return "Could not reach the server. Check that it is running and try again.";
}

export function SignInForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess() {
        router.replace("/projects");
        router.refresh();
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signIn.mutate({ name: String(form.get("name") ?? ""), password: String(form.get("password") ?? "") });
  }

  const errorId = `${id}-error`;
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-5"
      noValidate
      aria-describedby={signIn.error ? errorId : undefined}
    >
      <div>
        <label htmlFor={`${id}-name`} className={labelClass}>
          User name
        </label>
        <input
          id={`${id}-name`}
          name="name"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          className={inputClass}
        />
      </div>
      <div>
        <label htmlFor={`${id}-password`} className={labelClass}>
          Password
        </label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={inputClass}
        />
      </div>
      {signIn.error ? (
        <p
          id={errorId}
          role="alert"
          className="rounded-lg border border-danger/30 bg-danger-bg px-3 py-2 text-sm text-danger"
        >
          {describeError(signIn.error)}
        </p>
      ) : null}
      <button
        type="submit"
        className={`${buttonClass} w-full`}
        disabled={signIn.isPending || signIn.isSuccess}
      >
        {signIn.isPending || signIn.isSuccess ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
