import { checkHealth } from "~/server/health";
import { getDb, getRedis } from "~/server/services";

export const dynamic = "force-dynamic";

/** 200 when the database and Redis both answer, 503 otherwise; the body says which one failed. */
export async function GET() {
  const health = await checkHealth({ db: getDb, redis: getRedis });
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
