import { AppError } from "../errors";
import { type InstanceRef, LOCAL, type UriContext } from "./types";

const schemePattern = /^(https?):\/\/([^/]+)(\/.*)?$/i;

export function uriError(input: string, reason: string, hint?: string): AppError {
  return new AppError("invalid_input", `invalid URI "${input}": ${reason}`, hint);
}

export function instanceByAlias(ctx: UriContext, alias: string, input: string): InstanceRef {
  const found = ctx.instances[alias];
  if (!found) {
    const known = Object.keys(ctx.instances).sort().join(", ");
    throw uriError(
      input,
      `unknown instance "${alias}" (configured: ${known})`,
      "log in with `swcli instance login URL --alias NAME`",
    );
  }
  return { alias, uri: found.uri === LOCAL ? LOCAL : originOf(found.uri) };
}

export function defaultInstance(ctx: UriContext, input: string): InstanceRef {
  return instanceByAlias(ctx, ctx.currentInstance, input);
}

/** `scheme://host[:port]` of a URL, lower-cased, without any path. */
export function originOf(url: string): string {
  const match = schemePattern.exec(url.trim());
  if (!match) return url.replace(/\/+$/, "");
  return `${match[1]!.toLowerCase()}://${match[2]!.toLowerCase()}`;
}

/** Finds the one configured instance whose URL has this origin; none or several is an error. */
export function instanceByUrl(ctx: UriContext, url: string, input: string): InstanceRef {
  const origin = originOf(url);
  const aliases = Object.entries(ctx.instances)
    .filter(([, inst]) => inst.uri !== LOCAL && originOf(inst.uri) === origin)
    .map(([alias]) => alias);
  if (aliases.length === 0) {
    throw uriError(
      input,
      `no instance is configured for ${origin}`,
      `log in first: swcli instance login ${origin} --alias NAME`,
    );
  }
  if (aliases.length > 1) {
    throw uriError(
      input,
      `${origin} is configured under several aliases (${aliases.sort().join(", ")}); use one of them`,
    );
  }
  return { alias: aliases[0]!, uri: origin };
}

/**
 * Splits `cloud://alias/rest` and `http(s)://host/rest` into the instance and the path segments after it.
 * Returns undefined for strings without a scheme; those are decided by the caller from the segment count.
 */
export function splitScheme(
  input: string,
  ctx: UriContext,
): { instance: InstanceRef; path: string } | undefined {
  const cloud = /^cloud:\/\/([^/]*)(?:\/(.*))?$/i.exec(input);
  if (cloud) {
    if (!cloud[1]) throw uriError(input, "missing the instance alias after cloud://");
    return { instance: instanceByAlias(ctx, cloud[1], input), path: cloud[2] ?? "" };
  }
  const http = schemePattern.exec(input);
  if (http) {
    return {
      instance: instanceByUrl(ctx, `${http[1]}://${http[2]}`, input),
      path: (http[3] ?? "").replace(/^\//, ""),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw uriError(input, "unsupported scheme; use cloud://ALIAS/..., http(s)://HOST/... or no scheme");
  }
  return undefined;
}
