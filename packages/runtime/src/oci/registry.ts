import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline, type Readable } from "node:stream";
import { pipeline as pipelinePromise } from "node:stream/promises";
import { AppError } from "@swhub/shared/errors";
import { z } from "zod";
import { repositoryScope } from "./auth";
import { sha256Digest, verifyDigestStream } from "./digest";
import { registryError } from "./registry-errors";
import { createTransport, type Transport, type TransportOptions } from "./transport";
import type { Descriptor } from "./types";
import { manifestAccept } from "./types";
import { type BlobSource, type UploadOptions, uploadBlob } from "./upload";

export type { TransportOptions as RegistryClientOptions } from "./transport";
export type { BlobSource, UploadOptions } from "./upload";

/** A manifest or index as the registry stored it: the exact bytes (their digest is its identity). */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  json: unknown;
}

/** The OCI distribution API of one registry. Repositories are passed per call. */
export interface RegistryClient {
  readonly registry: string;
  /** True when the repository has the blob (HEAD). */
  hasBlob(repository: string, digest: string): Promise<boolean>;
  /** Links a blob from another repository of the same registry; false when the registry would not. */
  mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean>;
  uploadBlob(repository: string, blob: BlobSource, options?: UploadOptions): Promise<void>;
  /** Streams a blob; the stream fails at its end if the bytes do not match the descriptor. */
  openBlob(repository: string, descriptor: Pick<Descriptor, "digest" | "size">): Promise<Readable>;
  /** Downloads a verified blob to a file (atomically: temp file, then rename). */
  downloadBlob(
    repository: string,
    descriptor: Pick<Descriptor, "digest" | "size">,
    path: string,
  ): Promise<void>;
  /** The manifest's descriptor, or undefined when the tag or digest is unknown. */
  headManifest(repository: string, reference: string): Promise<Descriptor | undefined>;
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  /** Stores a manifest or index under a tag or its digest; returns its digest. */
  putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string>;
  listTags(repository: string): Promise<string[]>;
  close(): Promise<void>;
}

export function createRegistryClient(options: TransportOptions): RegistryClient {
  return registryClientOver(createTransport(options));
}

function registryClientOver(transport: Transport): RegistryClient {
  const { registry } = transport;
  const pull = (repository: string) => [repositoryScope(repository, ["pull"])];
  const push = (repository: string) => [repositoryScope(repository, ["pull", "push"])];

  async function hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await transport.send({
      method: "HEAD",
      url: `/v2/${repository}/blobs/${digest}`,
      scopes: pull(repository),
    });
    await res.body.dump();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await registryError(res, { registry, repository, what: `blob ${digest}` });
  }

  async function mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from: fromRepository });
    const res = await transport.send({
      method: "POST",
      url: `/v2/${repository}/blobs/uploads/?${query}`,
      scopes: [...push(repository), ...pull(fromRepository)],
    });
    if (res.status === 201) {
      await res.body.dump();
      return true;
    }
    if (res.status === 202) {
      // The registry opened a plain upload session instead; close it, the caller uploads.
      await res.body.dump();
      const location = res.headers.location;
      if (typeof location === "string") {
        await transport
          .send({ method: "DELETE", url: new URL(location, res.url).toString(), scopes: push(repository) })
          .then((r) => r.body.dump())
          .catch(() => {});
      }
      return false;
    }
    throw await registryError(res, { registry, repository, what: `mount of blob ${digest}` });
  }

  async function openBlob(
    repository: string,
    descriptor: Pick<Descriptor, "digest" | "size">,
  ): Promise<Readable> {
    const res = await transport.send({
      method: "GET",
      url: `/v2/${repository}/blobs/${descriptor.digest}`,
      scopes: pull(repository),
    });
    if (res.status !== 200)
      throw await registryError(res, { registry, repository, what: `blob ${descriptor.digest}` });
    const what = `blob ${descriptor.digest} from ${registry}/${repository}`;
    // pipeline (not pipe) so a broken connection fails the returned stream instead of leaving it hanging.
    return pipeline(res.body, verifyDigestStream(descriptor, what), () => {});
  }

  async function downloadBlob(
    repository: string,
    descriptor: Pick<Descriptor, "digest" | "size">,
    path: string,
  ) {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.part`;
    try {
      await pipelinePromise(await openBlob(repository, descriptor), createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function headManifest(repository: string, reference: string): Promise<Descriptor | undefined> {
    const res = await transport.send({
      method: "HEAD",
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: pull(repository),
      headers: { accept: manifestAccept },
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw await registryError(res, { registry, repository, what: `manifest ${reference}` });
    const digest = res.headers["docker-content-digest"];
    const size = Number(res.headers["content-length"]);
    const mediaType = String(res.headers["content-type"] ?? "").split(";")[0]!;
    if (typeof digest !== "string" || !Number.isFinite(size)) {
      // Some registries omit the digest on HEAD; GET then tells for sure.
      return (await getManifest(repository, reference)).descriptor;
    }
    return { mediaType, digest, size };
  }

  async function getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const res = await transport.send({
      method: "GET",
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: pull(repository),
      headers: { accept: manifestAccept },
    });
    const label = reference.startsWith("sha256:") ? `manifest ${reference}` : `manifest tag ${reference}`;
    if (res.status !== 200) throw await registryError(res, { registry, repository, what: label });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:") && digest !== reference) {
      throw new AppError(
        "internal",
        `${registry}/${repository}@${reference}: the manifest has digest ${digest}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new AppError("internal", `${registry}/${repository}:${reference}: the manifest is not JSON`);
    }
    const declared = z.object({ mediaType: z.string().optional() }).safeParse(json);
    const mediaType =
      (declared.success ? declared.data.mediaType : undefined) ??
      String(res.headers["content-type"] ?? "").split(";")[0]!;
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes, json };
  }

  async function putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string) {
    const res = await transport.send({
      method: "PUT",
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: push(repository),
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (res.status !== 201)
      throw await registryError(res, { registry, repository, what: `manifest ${reference}` });
    await res.body.dump();
    return sha256Digest(bytes);
  }

  async function listTags(repository: string): Promise<string[]> {
    const res = await transport.send({
      method: "GET",
      url: `/v2/${repository}/tags/list`,
      scopes: pull(repository),
    });
    if (res.status !== 200) throw await registryError(res, { registry, repository, what: "tag list" });
    const parsed = z.object({ tags: z.array(z.string()).nullish() }).parse(await res.body.json());
    return parsed.tags ?? [];
  }

  return {
    registry,
    hasBlob,
    mountBlob,
    uploadBlob: (repository, blob, options) => uploadBlob(transport, repository, blob, options),
    openBlob,
    downloadBlob,
    headManifest,
    getManifest,
    putManifest,
    listTags,
    close: () => transport.close(),
  };
}
