import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Database } from "@swhub/db/client";
import {
  createUploadRequestSchema,
  isBlobDigest,
  MAX_CHUNK_BYTES,
  missingBlobsRequestSchema,
  parseContentRange,
  parseRange,
  UPLOAD_OFFSET_HEADER,
  type UploadState,
} from "@swhub/shared/blob-protocol";
import { AppError, invalidInput, notFound } from "@swhub/shared/errors";
import { authenticate } from "../auth";
import type { BlobStore } from "../blobs/store";
import type { Actor } from "../services/access";
import { openProjectBlob } from "../services/blobs";
import { appendUploadChunk } from "../services/upload-chunks";
import { cancelUpload, createUpload, findMissingBlobs, finishUpload, getUpload } from "../services/uploads";
import { matchPath, nodeHeaders, readJson } from "./request";
import { errorResponse, json } from "./respond";

/** What the blob routes need: the database and the blob store. */
export interface BlobRouteDeps {
  db: Database;
  blobs: BlobStore;
}

export const blobRoutePrefix = "/api/projects/";

/**
 * What the routes read of a request: a Node request (the web app's server, `apps/web/server.ts`, and `serveApi`)
 * adapted by `nodeBlobRequest` without turning its body into a web stream, which at loopback speed costs as much CPU
 * as the transfer. (This is why the blob routes are not a Next.js route handler.)
 */
export interface BlobRequest {
  method: string;
  url: string;
  headers: Headers;
  body: AsyncIterable<Uint8Array> | null;
  bodyUsed: boolean;
  json(): Promise<unknown>;
}

/** A reply whose body is a Node stream (downloads), piped to the response. */
interface StreamReply {
  status: number;
  headers: Record<string, string>;
  stream: Readable;
}
type Reply = Response | StreamReply;

interface RouteRequest {
  req: BlobRequest;
  user: Actor;
  project: string;
  deps: BlobRouteDeps;
}

type Route = {
  /** Segments after the project; `:x` matches one segment. */
  pattern: string[];
  /** Anonymous callers may use it (downloads from public projects); the others ask to sign in first. */
  anonymous?: boolean;
  methods: Record<string, (r: RouteRequest, params: Record<string, string>) => Promise<Reply>>;
};

function uploadResponse(state: UploadState, status = 200): Response {
  return json(state, status, { [UPLOAD_OFFSET_HEADER]: String(state.offset) });
}

const empty: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

async function download(r: RouteRequest, digest: string): Promise<Reply> {
  if (!isBlobDigest(digest))
    throw notFound(`Blob ${digest} not found`, "a digest reads sha256:<64 hex digits>");
  const blob = await openProjectBlob(r.deps.db, r.deps.blobs, { user: r.user, project: r.project, digest });
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes",
    etag: `"${blob.digest}"`,
    "cache-control": "private, max-age=31536000, immutable",
  };
  const range = parseRange(r.req.headers.get("range"), blob.size);
  if (range.kind === "unsatisfiable") {
    return json(
      { error: { code: "invalid_input", message: `The range is outside the blob's ${blob.size} bytes` } },
      416,
      { "content-range": `bytes */${blob.size}` },
    );
  }
  const partial = range.kind === "partial";
  const start = partial ? range.start : 0;
  const end = partial ? range.end : blob.size - 1;
  headers["content-length"] = String(Math.max(0, end - start + 1));
  if (partial) headers["content-range"] = `bytes ${start}-${end}/${blob.size}`;
  const status = partial ? 206 : 200;
  if (r.req.method === "HEAD" || blob.size === 0) return new Response(null, { status, headers });
  return { status, headers, stream: await blob.read({ start, end }) };
}

const routes: Route[] = [
  {
    pattern: ["blobs", "missing"],
    methods: {
      async POST(r) {
        const { digests } = await readJson(r.req, missingBlobsRequestSchema);
        return json(await findMissingBlobs(r.deps.db, { user: r.user, project: r.project, digests }));
      },
    },
  },
  {
    pattern: ["blobs", ":digest"],
    anonymous: true,
    methods: {
      GET: (r, p) => download(r, p.digest!),
      HEAD: (r, p) => download(r, p.digest!),
    },
  },
  {
    pattern: ["uploads"],
    methods: {
      async POST(r) {
        const input = await readJson(r.req, createUploadRequestSchema);
        const result = await createUpload(r.deps.db, r.deps.blobs, {
          user: r.user,
          project: r.project,
          ...input,
        });
        return result.status === "exists" ? json(result) : uploadResponse(result, 201);
      },
    },
  },
  {
    pattern: ["uploads", ":id"],
    methods: {
      async GET(r, p) {
        return uploadResponse(
          await getUpload(r.deps.db, { user: r.user, project: r.project, uploadId: p.id! }),
        );
      },
      async HEAD(r, p) {
        const state = await getUpload(r.deps.db, { user: r.user, project: r.project, uploadId: p.id! });
        return new Response(null, { status: 200, headers: { [UPLOAD_OFFSET_HEADER]: String(state.offset) } });
      },
      async PATCH(r, p) {
        const range = parseContentRange(r.req.headers.get("content-range"));
        if (typeof range === "string") throw invalidInput(range);
        const lengthHeader = r.req.headers.get("content-length");
        const contentLength =
          lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
        const state = await appendUploadChunk(r.deps.db, r.deps.blobs, {
          user: r.user,
          project: r.project,
          uploadId: p.id!,
          range,
          contentLength,
          body: r.req.body ?? empty,
        });
        return uploadResponse(state);
      },
      async DELETE(r, p) {
        await cancelUpload(r.deps.db, r.deps.blobs, { user: r.user, project: r.project, uploadId: p.id! });
        return new Response(null, { status: 204 });
      },
    },
  },
  {
    pattern: ["uploads", ":id", "finish"],
    methods: {
      async POST(r, p) {
        return json(
          await finishUpload(r.deps.db, r.deps.blobs, { user: r.user, project: r.project, uploadId: p.id! }),
        );
      },
    },
  },
];

/** Every route of the blob protocol, as method + path patterns (for the access matrix test and docs). */
export const blobRoutes = routes.flatMap((route) =>
  Object.keys(route.methods).map((method) => ({
    method,
    path: `/api/projects/{project}/${route.pattern.join("/")}`,
  })),
);

/**
 * Reads and drops what is left of a request body (up to one chunk's worth), so a client still sending a chunk that
 * was refused gets the answer instead of a reset connection.
 */
async function drainBody(req: BlobRequest): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  let seen = 0;
  try {
    for await (const piece of req.body) {
      seen += piece.byteLength;
      if (seen > MAX_CHUNK_BYTES) break;
    }
  } catch {
    // The client went away; nobody reads the answer.
  }
}

/** Answers one request of the blob protocol. Authenticated by session cookie or API token. */
async function handleBlobRequest(req: BlobRequest, deps: BlobRouteDeps): Promise<Reply> {
  try {
    const path = new URL(req.url).pathname;
    if (!path.startsWith(blobRoutePrefix)) throw notFound(`No route ${path}`);
    let segments: string[];
    try {
      segments = path.slice(blobRoutePrefix.length).split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      throw invalidInput(`The path ${path} is not properly encoded`);
    }
    const [project, ...rest] = segments;
    for (const route of routes) {
      const params = project ? matchPath(route.pattern, rest) : undefined;
      if (!params) continue;
      const handle = route.methods[req.method];
      if (!handle) {
        return json({ error: { code: "invalid_input", message: `${req.method} is not allowed here` } }, 405, {
          allow: Object.keys(route.methods).join(", "),
        });
      }
      const auth = await authenticate(deps.db, req.headers);
      if (auth.authProblem === "token") {
        throw new AppError("unauthenticated", "The API token is invalid, expired or revoked");
      }
      if (!auth.user && !route.anonymous) throw new AppError("unauthenticated", "Sign in first");
      return await handle({ req, user: auth.user, project: project!, deps }, params);
    }
    throw notFound(`No route ${req.method} ${path}`);
  } catch (error) {
    await drainBody(req);
    return errorResponse(error);
  }
}

/**
 * The blob protocol on Node's own request and response: bodies stay Node streams end to end (the upload's body is
 * read straight off the socket, a download is piped from the file), which is what makes transfers run at the
 * speed of plain HTTP.
 */
export function createBlobNodeHandler(
  deps: BlobRouteDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const reply = await handleBlobRequest(nodeBlobRequest(req), deps);
    if (reply instanceof Response) {
      const body = Buffer.from(await reply.arrayBuffer());
      res.writeHead(reply.status, [...reply.headers.entries()].flat());
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    res.writeHead(reply.status, reply.headers);
    if (req.method === "HEAD") {
      reply.stream.destroy();
      res.end();
      return;
    }
    // A client that goes away ends the pipeline with an error; nobody is left to tell.
    await pipeline(reply.stream, res).catch(() => undefined);
  };
}

function nodeBlobRequest(req: IncomingMessage): BlobRequest {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  let used = false;
  return {
    method: req.method ?? "GET",
    url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
    headers: nodeHeaders(req.headers),
    get bodyUsed() {
      return used || req.readableEnded;
    },
    get body() {
      if (!hasBody) return null;
      used = true;
      return req;
    },
    async json() {
      used = true;
      const pieces: Buffer[] = [];
      let size = 0;
      for await (const piece of req) {
        size += (piece as Buffer).length;
        // The JSON bodies of this protocol are small; a huge one is not JSON meant for us.
        if (size > 1 << 20) throw invalidInput("The request body is too large");
        pieces.push(piece as Buffer);
      }
      return JSON.parse(Buffer.concat(pieces).toString("utf8"));
    },
  };
}
