/** The swhub mark: a whale's tail over a wave, drawn in the accent colour. */
export function Logo({ className = "", compact = false }: { className?: string; compact?: boolean }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg viewBox="0 0 32 32" aria-hidden="true" className="size-7 text-accent">
        <rect width="32" height="32" rx="8" fill="currentColor" opacity="0.14" />
        <path
          d="M16 21c0-5 2.5-8.5 7-10-1 3-3 5.5-6 6.5M16 21c0-5-2.5-8.5-7-10 1 3 3 5.5 6 6.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
        <path
          d="M7 25c3 0 3-1.5 6-1.5s3 1.5 6 1.5 3-1.5 6-1.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
        />
      </svg>
      {/* Compact: the word only from the small breakpoint up, so a phone header fits. */}
      <span className={compact ? "hidden sm:inline" : undefined}>swhub</span>
    </span>
  );
}
