import type { SessionUser } from "@swhub/api/services/users";
import Link from "next/link";
import { routes } from "~/lib/routes";
import { Logo } from "./logo";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

export function AppHeader({ user }: { user: SessionUser | null }) {
  return (
    <header className="border-b border-border bg-surface/80 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
        <Link href="/projects" aria-label="swhub home" className="shrink-0">
          <Logo compact />
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm">
          <Link
            href="/projects"
            className="rounded-md px-2 py-1 font-medium text-text hover:bg-surface-muted"
          >
            Projects
          </Link>
          {user ? (
            <Link
              href={routes.account()}
              className="rounded-md px-2 py-1 font-medium text-text hover:bg-surface-muted"
            >
              Account
            </Link>
          ) : null}
        </nav>
        <div className="ml-auto flex shrink-0 items-center gap-1">
          <ThemeToggle />
          {user ? (
            <>
              <span className="mx-2 hidden text-sm text-muted sm:inline" data-testid="current-user">
                {user.name}
                {user.isAdmin ? (
                  <span className="ml-1.5 rounded bg-surface-muted px-1.5 py-0.5 text-xs">admin</span>
                ) : null}
              </span>
              <SignOutButton />
            </>
          ) : (
            <Link href="/signin" className="rounded-md px-3 py-1.5 text-sm font-medium text-accent">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
