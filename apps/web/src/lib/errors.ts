import { TRPCClientError } from "@trpc/client";

/** One readable sentence for a failed request: the server's message and hint, or what to check when it never answered. */
export function describeError(error: unknown): string {
  if (error instanceof TRPCClientError && error.data) {
    const hint = (error.data as { hint?: string }).hint;
    return hint ? `${error.message}: ${hint}.` : error.message;
  }
  return "Could not reach the server. Check your connection and try again.";
}

/** The server's error code (`not_found`, `conflict`, …) of a failed request, if it answered. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError
    ? (error.data as { appCode?: string } | undefined)?.appCode
    : undefined;
}
