"use client";

import { useState } from "react";
import { secondaryButtonClass } from "./ui";

/** Copies a text and says so for two seconds; the label names what is copied. */
export function CopyButton({
  text,
  label,
  className,
  idleText = "Copy",
}: {
  text: string;
  label: string;
  className?: string;
  /** The visible word when nothing happened yet. */
  idleText?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2000);
  }
  return (
    <button type="button" onClick={copy} className={className ?? secondaryButtonClass} aria-label={label}>
      <span aria-live="polite">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : idleText}
      </span>
    </button>
  );
}
