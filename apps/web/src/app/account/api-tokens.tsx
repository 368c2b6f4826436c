"use client";

import type { RouterOutputs } from "@swhub/api/root";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { cardClass } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CreateTokenForm } from "./create-token-form";
import { NewTokenNotice } from "./new-token-notice";
import { TokenTable } from "./token-table";

type Created = RouterOutputs["token"]["create"];

/** API tokens for swcli and CI: made here, the secret shown once, listed and revoked. */
export function ApiTokens({ initial }: { initial: RouterOutputs["token"]["list"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery({ ...trpc.token.list.queryOptions(), initialData: initial });
  const [created, setCreated] = useState<Created | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() });
  return (
    <section aria-labelledby="tokens-title" className={`${cardClass} space-y-5 p-5`}>
      <div>
        <h2 id="tokens-title" className="text-lg font-semibold">
          API tokens
        </h2>
        <p className="mt-1 text-sm text-muted">
          For swcli and CI:{" "}
          <code className="font-mono">swcli instance login --token TOKEN --alias hub URL</code>. A token acts
          as you in every project you can reach.
        </p>
      </div>
      <CreateTokenForm
        onCreated={(token) => {
          setCreated(token);
          void refresh();
        }}
      />
      {created ? <NewTokenNotice token={created} onDismiss={() => setCreated(null)} /> : null}
      <TokenTable tokens={tokens.data} onRevoked={() => void refresh()} />
    </section>
  );
}
