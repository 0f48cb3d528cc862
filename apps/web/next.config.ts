import type { NextConfig } from "next";
import path from "node:path";

// The web app is a client of the API only: it never imports server runtime code.
// HTTP calls from the browser go through our own route handler at /api/* (see src/app/api), which
// forwards them to STRATUM_API_URL at request time; WebSockets go straight to the API.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The monorepo root holds the lockfile; tell Turbopack so it does not guess.
  turbopack: { root: path.resolve(import.meta.dirname, "../..") },
  typedRoutes: false,
};

export default nextConfig;
