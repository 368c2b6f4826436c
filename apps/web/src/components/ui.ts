/** Shared class lists, so every button and field looks the same without a component library. */
export const buttonClass =
  "inline-flex h-10 items-center justify-center gap-2 rounded-lg bg-accent px-4 text-sm font-medium text-accent-fg shadow-sm transition-colors hover:bg-accent-hover disabled:cursor-not-allowed disabled:opacity-60";

export const secondaryButtonClass =
  "inline-flex h-9 items-center justify-center gap-2 whitespace-nowrap rounded-lg border border-border bg-surface px-3 text-sm font-medium text-text shadow-sm transition-colors hover:bg-surface-muted disabled:cursor-not-allowed disabled:opacity-60";

export const dangerButtonClass =
  "inline-flex h-9 items-center justify-center gap-2 whitespace-nowrap rounded-lg border border-danger/40 bg-surface px-3 text-sm font-medium text-danger shadow-sm transition-colors hover:bg-danger-bg disabled:cursor-not-allowed disabled:opacity-60";

export const quietButtonClass =
  "inline-flex h-9 items-center justify-center gap-2 rounded-lg px-3 text-sm font-medium text-muted transition-colors hover:bg-surface-muted hover:text-text";

export const inputClass =
  "block h-10 w-full rounded-lg border border-border bg-surface px-3 text-sm text-text shadow-sm placeholder:text-muted focus:border-accent";

export const selectClass =
  "block h-10 rounded-lg border border-border bg-surface px-3 text-sm text-text shadow-sm focus:border-accent";

export const labelClass = "mb-1.5 block text-sm font-medium text-text";

export const cardClass = "rounded-xl border border-border bg-surface shadow-sm";

export const alertClass = "rounded-lg border border-danger/30 bg-danger-bg px-3 py-2 text-sm text-danger";

export const chipClass =
  "inline-flex items-center gap-1 rounded-full bg-surface-muted px-2 py-0.5 font-mono text-xs text-text";

export const tableClass = "w-full border-collapse text-left text-sm";
export const thClass =
  "border-b border-border px-3 py-2 text-xs font-semibold uppercase tracking-wide text-muted";
export const tdClass = "border-b border-border px-3 py-2.5 align-middle";
