"use client";

import { useEffect, useState } from "react";
import { quietButtonClass } from "./ui";

const themes = ["system", "light", "dark"] as const;
type Theme = (typeof themes)[number];
export const themeStorageKey = "sw-theme";

/** Cycles system → light → dark. "system" follows the OS setting through CSS alone. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => {
    const stored = localStorage.getItem(themeStorageKey);
    if (stored === "light" || stored === "dark") setTheme(stored);
  }, []);

  function choose(next: Theme) {
    setTheme(next);
    if (next === "system") {
      localStorage.removeItem(themeStorageKey);
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem(themeStorageKey, next);
      document.documentElement.dataset.theme = next;
    }
  }

  const next = themes[(themes.indexOf(theme) + 1) % themes.length]!;
  return (
    <button
      type="button"
      className={quietButtonClass}
      onClick={() => choose(next)}
      aria-label={`Theme: ${theme}. Switch to ${next}.`}
      title={`Theme: ${theme}`}
    >
      <svg
        viewBox="0 0 20 20"
        aria-hidden="true"
        className="size-4"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
      >
        {theme === "dark" ? (
          <path d="M16 12.5A6.5 6.5 0 0 1 7.5 4a6.5 6.5 0 1 0 8.5 8.5Z" strokeLinejoin="round" />
        ) : theme === "light" ? (
          <>
            <circle cx="10" cy="10" r="3.5" />
            <path
              d="M10 1.5v2M10 16.5v2M1.5 10h2M16.5 10h2M4 4l1.4 1.4M14.6 14.6 16 16M4 16l1.4-1.4M14.6 5.4 16 4"
              strokeLinecap="round"
            />
          </>
        ) : (
          <>
            <rect x="2.5" y="3.5" width="15" height="10" rx="1.5" />
            <path d="M7 17h6M10 13.5V17" strokeLinecap="round" />
          </>
        )}
      </svg>
      <span className="hidden capitalize sm:inline">{theme}</span>
    </button>
  );
}
