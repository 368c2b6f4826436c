"use client";

import { useState } from "react";
import { dangerButtonClass, secondaryButtonClass } from "./ui";

/**
 * A button that asks once before doing something that hides data: the first press shows what will happen and a
 * confirm button, which takes focus so Enter confirms and Escape cancels.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  pending,
  danger = true,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const cancelOnEscape = (e: { key: string }) => {
    if (e.key === "Escape") setAsking(false);
  };
  const style = danger ? dangerButtonClass : secondaryButtonClass;
  if (!asking)
    return (
      <button type="button" className={style} onClick={() => setAsking(true)} disabled={pending}>
        {pending ? "Working…" : label}
      </button>
    );
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <span className="text-sm text-muted">{question}</span>
      <button
        type="button"
        className={style}
        // biome-ignore lint/a11y/noAutofocus: the confirm button appears because the user asked for it
        autoFocus
        onKeyDown={cancelOnEscape}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        className={secondaryButtonClass}
        onKeyDown={cancelOnEscape}
        onClick={() => setAsking(false)}
      >
        Cancel
      </button>
    </span>
  );
}
