import { z } from "zod";

/** Paging as every list takes it: pages count from 1. */
export const pagingSchema = z.object({
  page: z.number().int().min(1).default(1),
  size: z.number().int().min(1).max(500).default(20),
});
export type Paging = z.input<typeof pagingSchema>;

export interface Page<T> {
  items: T[];
  /** Rows across all pages. */
  total: number;
  page: number;
  size: number;
}

/** LIMIT and OFFSET for a page, with the defaults filled in. */
export function pageWindow(paging: Paging = {}): {
  page: number;
  size: number;
  limit: number;
  offset: number;
} {
  const page = Math.max(1, Math.floor(paging.page ?? 1));
  const size = Math.min(500, Math.max(1, Math.floor(paging.size ?? 20)));
  return { page, size, limit: size, offset: (page - 1) * size };
}
