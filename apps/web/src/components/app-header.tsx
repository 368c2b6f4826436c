import type { SessionUser } from "@swhub/api/services/users";
import Link from "next/link";
import { Logo } from "./logo";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

export function AppHeader({ user }: { user: SessionUser }) {
  return (
    <header className="border-b border-border bg-surface/80 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-5xl items-center gap-6 px-6">
        <Link href="/projects" aria-label="swhub home">
          <Logo />
        </Link>
        <nav className="flex items-center gap-1 text-sm">
          <Link href="/projects" className="rounded-md px-2 py-1 font-medium text-text">
            Projects
          </Link>
        </nav>
        <div className="ml-auto flex items-center gap-1">
          <ThemeToggle />
          <span className="mx-2 text-sm text-muted" data-testid="current-user">
            {user.name}
            {user.isAdmin ? (
              <span className="ml-1.5 rounded bg-surface-muted px-1.5 py-0.5 text-xs">admin</span>
            ) : null}
          </span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
