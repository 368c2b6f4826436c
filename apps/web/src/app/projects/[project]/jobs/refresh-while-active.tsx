"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Reloads the server-rendered list every few seconds while some job on it is queued or running. */
export function RefreshWhileActive({ active, everyMs = 3000 }: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, router]);
  return null;
}
