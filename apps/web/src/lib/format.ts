const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

/** "Nov 28, 2026, 12:13 AM" in UTC: the server and the browser render the same text. */
export const formatDateTime = (value: Date) => `${dateTime.format(value)} UTC`;
export const formatDate = (value: Date) => date.format(value);

/** Bytes as people read them: 0 B, 1.2 KB, 85.3 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The first 12 characters of a version id, as swcli lists show it. */
export const shortVersion = (version: string) => version.slice(0, 12);

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
