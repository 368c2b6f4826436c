// The text forms Starwhale writes, so that a file from either tool reads the same.
import { stringify } from "yaml";

/**
 * YAML as PyYAML's `safe_dump(default_flow_style=False)` writes it for Starwhale: keys sorted, sequences flush
 * with their key, `''` for empty strings and quotes only where a plain scalar would read as something else.
 */
export function dumpStarwhaleYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, sortMapEntries: true, lineWidth: 0, singleQuote: true });
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * `created_at` as Starwhale writes it: `2023-02-19 00:19:23 CST`, local time and the zone's short name. With
 * `utc` (a reproducible build, from SOURCE_DATE_EPOCH) the time is in UTC, so every machine writes the same text.
 */
export function starwhaleCreatedAt(date: Date, utc = false): string {
  // Machines on UTC skip Intl, whose time zone data costs a build ~30 ms to load.
  if (utc || date.getTimezoneOffset() === 0)
    return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  const zone =
    new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value ?? "";
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time} ${zone}`.trim();
}
