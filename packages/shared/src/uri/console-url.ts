import { instanceByUrl, uriError } from "./instance";
import { checkNameRef, checkProjectRef, checkVersionRef } from "./segments";
import type { ProjectUri, ResourceType, ResourceUri, UriContext } from "./types";

/**
 * Console URLs, as copied from the browser's address bar, are valid URIs:
 * `https://host/projects/<p>/runtimes[/<name>[/versions[/<version>[/<tab>]]]]`.
 */
const consolePattern =
  /^(https?:\/\/[^/]+)\/projects\/([^/]+)(?:\/([^/]+)(?:\/([^/]+)(?:\/versions(?:\/([^/]+))?)?)?)?(?:\/.*)?$/i;
const typeWords: Record<string, ResourceType> = { runtimes: "runtime", models: "model", datasets: "dataset" };

export interface ConsoleUrl extends ProjectUri {
  type?: ResourceType;
  name?: string;
  version?: string;
}

export function looksLikeConsoleUrl(input: string): boolean {
  return /^https?:\/\/[^/]+\/projects(\/|$)/i.test(input);
}

export function parseConsoleUrl(input: string, ctx: UriContext): ConsoleUrl {
  const clean = input.replace(/[?#].*$/, "").replace(/\/$/, "");
  const match = consolePattern.exec(clean);
  if (!match)
    throw uriError(
      input,
      "not a console URL of the form https://HOST/projects/PROJECT/runtimes/NAME/versions/VERSION",
    );
  const [, origin, project, typeWord, name, version] = match;
  const instance = instanceByUrl(ctx, origin!, input);
  const result: ConsoleUrl = { instance, project: checkProjectRef(decodeURIComponent(project!), input) };
  if (typeWord === undefined) return result;
  const type = typeWords[typeWord.toLowerCase()];
  if (!type)
    throw uriError(input, `"${typeWord}" is not a resource list (expected runtimes, models or datasets)`);
  result.type = type;
  if (name !== undefined) result.name = decodeURIComponent(name);
  if (version !== undefined) result.version = checkVersionRef(decodeURIComponent(version), input);
  return result;
}

export function consoleUrlToResource(url: ConsoleUrl, input: string, expected?: ResourceType): ResourceUri {
  if (!url.type || url.name === undefined) throw uriError(input, "the console URL names no runtime");
  if (expected && url.type !== expected) throw uriError(input, `it names a ${url.type}, not a ${expected}`);
  const name = checkNameRef(url.name, input, true);
  return {
    instance: url.instance,
    project: url.project,
    type: url.type,
    name,
    ...(url.version ? { version: url.version } : {}),
  };
}
