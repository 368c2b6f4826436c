"use client";

import type { RouterOutputs } from "@swhub/api/root";
import { useMutation } from "@tanstack/react-query";
import { ConfirmButton } from "~/components/confirm-button";
import { alertClass, tableClass, tdClass, thClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

type Token = RouterOutputs["token"]["list"][number];

const stateStyle: Record<Token["state"], string> = {
  active: "bg-up/15 text-up",
  expired: "bg-surface-muted text-muted",
  revoked: "bg-rm/15 text-rm",
};

export function TokenTable({ tokens, onRevoked }: { tokens: Token[]; onRevoked: () => void }) {
  const trpc = useTRPC();
  const revoke = useMutation(trpc.token.revoke.mutationOptions({ onSuccess: onRevoked }));
  if (tokens.length === 0)
    return (
      <p className="rounded-lg border border-dashed border-border px-4 py-6 text-center text-sm text-muted">
        No tokens yet.
      </p>
    );
  return (
    <div className="space-y-2">
      {revoke.error ? (
        <p role="alert" className={alertClass}>
          {describeError(revoke.error)}
        </p>
      ) : null}
      <div className="relative overflow-x-auto">
        <table className={tableClass} aria-label="API tokens">
          <thead>
            <tr>
              <th className={thClass} scope="col">
                Name
              </th>
              <th className={thClass} scope="col">
                State
              </th>
              <th className={`${thClass} hidden sm:table-cell`} scope="col">
                Created
              </th>
              <th className={`${thClass} hidden md:table-cell`} scope="col">
                Last used
              </th>
              <th className={`${thClass} hidden md:table-cell`} scope="col">
                Expires
              </th>
              <th className={thClass} scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`}>
                <td className={tdClass}>
                  <div className="font-medium">{t.name}</div>
                  <div className="font-mono text-xs text-muted">{t.prefix}…</div>
                </td>
                <td className={tdClass}>
                  <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${stateStyle[t.state]}`}>
                    {t.state}
                  </span>
                </td>
                <td className={`${tdClass} hidden whitespace-nowrap text-xs sm:table-cell`}>
                  {formatDateTime(t.createdAt)}
                </td>
                <td className={`${tdClass} hidden whitespace-nowrap text-xs md:table-cell`}>
                  {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}
                </td>
                <td className={`${tdClass} hidden whitespace-nowrap text-xs md:table-cell`}>
                  {t.expiresAt ? formatDateTime(t.expiresAt) : "never"}
                </td>
                <td className={`${tdClass} text-right`}>
                  {t.state === "active" ? (
                    <ConfirmButton
                      label="Revoke"
                      question={`Revoke “${t.name}”? Clients using it stop working.`}
                      confirmLabel="Revoke"
                      pending={revoke.isPending && revoke.variables?.id === t.id}
                      onConfirm={() => revoke.mutate({ id: t.id })}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
