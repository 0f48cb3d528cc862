// Invitation links carry their one-time token in the path: the page sends no Referer anywhere and
// asks search engines not to index it.
import type { Metadata } from "next";
import type { ReactNode } from "react";

export const metadata: Metadata = { referrer: "no-referrer", robots: { index: false, follow: false } };

export default function InviteLayout({ children }: { children: ReactNode }) {
  return children;
}
