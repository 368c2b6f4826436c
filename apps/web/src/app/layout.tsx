import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "~/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "swhub", template: "%s · swhub" },
  description: "Reproducible Python runtimes for ML teams",
};

// Applies a chosen theme before the first paint, so a dark page never flashes light.
const themeScript = `try{var t=localStorage.getItem("sw-theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-dvh">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
