/** Shared class lists, so every button and field looks the same without a component library. */
export const buttonClass =
  "inline-flex h-10 items-center justify-center gap-2 rounded-lg bg-accent px-4 text-sm font-medium text-accent-fg shadow-sm transition-colors hover:bg-accent-hover disabled:cursor-not-allowed disabled:opacity-60";

export const quietButtonClass =
  "inline-flex h-9 items-center justify-center gap-2 rounded-lg px-3 text-sm font-medium text-muted transition-colors hover:bg-surface-muted hover:text-text";

export const inputClass =
  "block h-10 w-full rounded-lg border border-border bg-surface px-3 text-sm text-text shadow-sm placeholder:text-muted focus:border-accent";

export const labelClass = "mb-1.5 block text-sm font-medium text-text";
