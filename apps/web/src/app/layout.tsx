import type { Metadata } from "next";
import localFont from "next/font/local";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { ApolloWrapper } from "@/lib/apollo";
import { readEnv } from "@/lib/env";
import { ToastProvider } from "@/components/ui";
import "./globals.css";

// Inter from @fontsource/inter, bundled at build time: no font is fetched from the network.
const inter = localFont({
  src: [
    { path: "../../../../node_modules/@fontsource/inter/files/inter-latin-400-normal.woff2", weight: "400", style: "normal" },
    { path: "../../../../node_modules/@fontsource/inter/files/inter-latin-500-normal.woff2", weight: "500", style: "normal" },
    { path: "../../../../node_modules/@fontsource/inter/files/inter-latin-600-normal.woff2", weight: "600", style: "normal" },
    { path: "../../../../node_modules/@fontsource/inter/files/inter-latin-700-normal.woff2", weight: "700", style: "normal" },
  ],
  variable: "--font-inter",
  display: "swap",
});

export const metadata: Metadata = {
  title: { default: "Stratum", template: "%s · Stratum" },
  description: "Confounder-aware selection of medical images to annotate.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read the API location per request, so one build serves any deployment.
  await connection();
  const env = readEnv();
  return (
    <html lang="en" className={inter.variable}>
      <body>
        <ApolloWrapper wsUrl={env.wsUrl}>
          <ToastProvider>{children}</ToastProvider>
        </ApolloWrapper>
      </body>
    </html>
  );
}
