"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "~/trpc/react";
import { quietButtonClass } from "./ui";

export function SignOutButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess() {
        router.replace("/signin");
        router.refresh();
      },
    }),
  );
  return (
    <button
      type="button"
      className={quietButtonClass}
      onClick={() => signOut.mutate()}
      disabled={signOut.isPending}
    >
      {signOut.isPending ? "Signing out…" : "Sign out"}
    </button>
  );
}
