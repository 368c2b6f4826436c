import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AppHeader } from "~/components/app-header";
import { getCaller } from "~/trpc/server";
import { ApiTokens } from "./api-tokens";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const caller = await getCaller();
  const user = await caller.auth.me();
  if (!user) redirect("/signin");
  const tokens = await caller.token.list();
  return (
    <>
      <AppHeader user={user} />
      <main className="mx-auto max-w-4xl space-y-6 px-4 py-10 sm:px-6">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
          <p className="mt-1 text-sm text-muted">
            Signed in as <strong className="text-text">{user.name}</strong>
            {user.isAdmin ? " (administrator)" : ""}.
          </p>
        </div>
        <ApiTokens initial={tokens} />
      </main>
    </>
  );
}
