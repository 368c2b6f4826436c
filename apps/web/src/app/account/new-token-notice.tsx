"use client";

import type { RouterOutputs } from "@swhub/api/root";
import { CopyButton } from "~/components/copy-button";
import { quietButtonClass } from "~/components/ui";

/** The secret, this once: it is stored only as a hash, so it can't be shown again. */
export function NewTokenNotice({
  token,
  onDismiss,
}: {
  token: RouterOutputs["token"]["create"];
  onDismiss: () => void;
}) {
  return (
    <div
      role="status"
      className="space-y-2 rounded-lg border border-accent/40 bg-accent/10 p-4"
      data-testid="new-token"
    >
      <p className="text-sm font-medium">
        Token “{token.name}” created. Copy it now: it won&apos;t be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code
          className="min-w-0 flex-1 break-all rounded bg-surface px-2 py-1.5 font-mono text-xs"
          data-testid="new-token-secret"
        >
          {token.token}
        </code>
        <CopyButton text={token.token} label="Copy the new token" />
      </div>
      <button type="button" className={quietButtonClass} onClick={onDismiss}>
        I have copied it
      </button>
    </div>
  );
}
