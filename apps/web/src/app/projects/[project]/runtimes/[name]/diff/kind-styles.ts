import type { PackageChangeKind } from "@swhub/shared/runtime-diff";

/** One colour per kind (theme tokens in globals.css), and a sign as well, so colour is never the only cue. */
export const kindStyles: Record<
  PackageChangeKind,
  { badge: string; text: string; sign: string; label: string }
> = {
  upgraded: { badge: "bg-up/15 text-up", text: "text-up", sign: "↑", label: "Upgraded" },
  downgraded: { badge: "bg-down/15 text-down", text: "text-down", sign: "↓", label: "Downgraded" },
  added: { badge: "bg-add/15 text-add", text: "text-add", sign: "+", label: "Added" },
  removed: { badge: "bg-rm/15 text-rm", text: "text-rm", sign: "−", label: "Removed" },
  changed: { badge: "bg-chg/15 text-chg", text: "text-chg", sign: "~", label: "Changed" },
};
