import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages are TypeScript source, compiled as part of the app.
  transpilePackages: ["@swhub/api", "@swhub/db", "@swhub/shared"],
  // Native or wasm packages are loaded by Node at run time rather than bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "bullmq", "ioredis", "tar-stream"],
  poweredByHeader: false,
  typedRoutes: true,
  // Metadata (page titles from generateMetadata) is resolved before the body for every client, as it is for bots:
  // streamed metadata puts the page behind a Suspense boundary, and React holds its reveal back ~300 ms.
  htmlLimitedBots: /.*/,
};

export default config;
