import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "~/components/logo";
import { ThemeToggle } from "~/components/theme-toggle";
import { getCaller } from "~/trpc/server";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  const caller = await getCaller();
  if (await caller.auth.me()) redirect("/projects");
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-6 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <Logo className="text-xl" />
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to your console</h1>
          <p className="text-sm text-muted">Runtimes, versions and builds for your team.</p>
        </div>
        <div className="rounded-2xl border border-border bg-surface p-6 shadow-sm">
          <SignInForm />
        </div>
        <p className="mt-6 text-center text-xs text-muted">
          First time here? <code className="font-mono">pnpm start</code> printed the admin account on its
          first run.
        </p>
        <div className="mt-4 flex justify-center">
          <ThemeToggle />
        </div>
      </div>
    </main>
  );
}
