import { randomBytes } from "node:crypto";
import type { BrowserContext } from "@playwright/test";

/*
 * Seeds data through the running server's own API (tRPC and Starwhale's upload route), never by clicking: the
 * specs test the pages, not the set-up. Each spec uses fresh names so specs don't depend on each other.
 */

export const unique = (prefix: string) => `${prefix}${randomBytes(3).toString("hex")}`;

const base = () => process.env.SW_E2E_BASE_URL!;

/** A signed-in API client: tRPC over HTTP with a session cookie, as the browser would have. */
export class Api {
  private constructor(readonly session: string) {}

  static async signIn(name: string, password: string): Promise<Api> {
    const res = await fetch(`${base()}/api/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { name, password } }),
    });
    if (!res.ok) throw new Error(`sign in as ${name}: HTTP ${res.status} ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("sw_session="));
    return new Api(cookie!.split(";")[0]!.slice("sw_session=".length));
  }

  /** Lets a browser context act as this user. */
  async signInBrowser(context: BrowserContext) {
    await context.addCookies([{ name: "sw_session", value: this.session, url: base() }]);
  }

  async query<T>(procedure: string, input: unknown): Promise<T> {
    const q = encodeURIComponent(JSON.stringify({ json: input }));
    return this.parse<T>(
      procedure,
      await fetch(`${base()}/api/trpc/${procedure}?input=${q}`, { headers: this.headers() }),
    );
  }

  async mutate<T>(procedure: string, input: unknown): Promise<T> {
    const res = await fetch(`${base()}/api/trpc/${procedure}`, {
      method: "POST",
      headers: { ...this.headers(), "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
    return this.parse<T>(procedure, res);
  }

  private headers() {
    return { cookie: `sw_session=${this.session}` };
  }

  private async parse<T>(procedure: string, res: Response): Promise<T> {
    const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
    if (!res.ok || !body.result)
      throw new Error(`${procedure}: HTTP ${res.status} ${JSON.stringify(body.error)}`);
    return body.result.data.json;
  }

  async createUser(name: string, password = "password-e2e") {
    await this.mutate("user.create", { name, password });
    return { name, password };
  }

  /**
   * Uploads a runtime version as Starwhale's swcli does (`runtime copy` to a server: one multipart POST to
   * `/api/v1/project/{id}/runtime/{name}/version/{v}/file`), with the environment and lock given.
   */
  async uploadRuntime(
    project: string,
    name: string,
    spec: { python: string; packages: string[]; cuda?: string; tags?: string[] },
  ): Promise<string> {
    const { version, bytes: bundle } = runtimeBundle(name, spec);
    await this.uploadBundle(project, name, version, bundle);
    if (spec.tags?.length) await this.mutate("runtime.tagAdd", { project, name, version, tags: spec.tags });
    return version;
  }

  /** Uploads a bundle (`.swrt` bytes) as version `version` of `name`, as Starwhale's swcli does. */
  async uploadBundle(project: string, name: string, version: string, bundle: Buffer): Promise<void> {
    const { id } = await this.query<{ id: string }>("project.get", { project });
    const boundary = randomBytes(12).toString("hex");
    const field = (key: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`;
    const body = Buffer.concat([
      Buffer.from(
        `${field("runtime", `${name}:${version}`)}${field("project", id)}${field("force", "0")}` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${version}.swrt"\r\n` +
          "Content-Type: application/octet-stream\r\n\r\n",
      ),
      bundle,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${base()}/api/v1/project/${id}/runtime/${name}/version/${version}/file`, {
      method: "POST",
      headers: { ...this.headers(), "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    if (!res.ok) throw new Error(`upload ${name}: HTTP ${res.status} ${await res.text()}`);
  }
}

/** A runtime bundle (.swrt) of a venv runtime with this Python, optional CUDA and lock, and its new version id. */
export function runtimeBundle(
  name: string,
  spec: { python: string; packages: string[]; cuda?: string },
): { version: string; bytes: Buffer } {
  const version = versionId();
  const manifest = [
    `version: ${version}`,
    "created_at: 2026-11-27 18:58:33 UTC",
    "environment:",
    "  mode: venv",
    `  python: '${spec.python}'`,
    "  arch: noarch",
    ...(spec.cuda ? [`  cuda: '${spec.cuda}'`] : []),
    "  lock:",
    "    files:",
    "    - .starwhale/lock/requirements-sw-lock.txt",
    "",
  ].join("\n");
  const bytes = tarOf({
    "_manifest.yaml": manifest,
    "runtime.yaml": `name: ${name}\nmode: venv\nenvironment:\n  python: '${spec.python}'\ndependencies:\n  - pip:\n${spec.packages.map((p) => `      - ${p}`).join("\n")}\n`,
    "dependencies/.starwhale/lock/requirements-sw-lock.txt": `# Generated by Starwhale(0.6.15) Runtime Lock\n${spec.packages.join("\n")}\n`,
  });
  return { version, bytes };
}

/** A Starwhale version id: 25 random bytes in lower-case base32, 40 characters. */
function versionId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = "";
  for (const byte of randomBytes(25)) bits += byte.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/** A ustar archive of text files: what a runtime bundle (.swrt) is. */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    const put = (value: string, offset: number, length: number) =>
      header.write(value, offset, length, "ascii");
    put(name, 0, 100);
    put("0000644\0", 100, 8);
    put("0000000\0", 108, 8);
    put("0000000\0", 116, 8);
    put(`${body.length.toString(8).padStart(11, "0")}\0`, 124, 12);
    put("14000000000\0", 136, 12);
    put("        ", 148, 8);
    put("0", 156, 1);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
