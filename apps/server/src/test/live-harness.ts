// A live test server with the runtime (event bus, presence, job queue) and the export routes, plus a
// graphql-ws client. Reuses the core harness' clients and seeding.
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { openStore } from "@stratum/db";
import { testStoreOptions } from "@stratum/db/testing";
import { createApp } from "../app.js";
import { createRuntime, liveAppOptions, type Runtime } from "../live.js";
import type { TestServer } from "./harness.js";
import type { ServerConfig } from "../env.js";

export interface LiveServer extends TestServer {
  runtime: Runtime;
  wsUrl: string;
}

export async function startLiveServer(config: Partial<ServerConfig> = {}): Promise<LiveServer> {
  const store = await openStore(await testStoreOptions());
  const filesDir = mkdtempSync(path.join(tmpdir(), "stratum-live-test-"));
  const uploadDir = path.join(filesDir, "uploads");
  // The jobs read sample files with the same roots as the app's routes.
  const storage = { filesDir, uploadDir, storageGrants: config.storageGrants ?? {} };
  const runtime = await createRuntime(store, { progressIntervalMs: 20, storage });
  const app = await createApp({
    store,
    config: { nodeEnv: "test", filesDir, uploadDir, corsOrigins: ["http://localhost:3000"], ...config },
    ...(await liveAppOptions(runtime)),
  });
  const { port, url, wsUrl } = await app.listen(0, "127.0.0.1");
  return {
    store,
    app,
    runtime,
    base: `http://127.0.0.1:${port}`,
    url,
    wsUrl,
    filesDir,
    async close() {
      await app.close();
      await store.close();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** A graphql-ws client authenticated with a cookie (browser) or bearer token (machine). */
export function wsClient(server: LiveServer, auth: { cookie?: string; token?: string }): Client {
  return createClient({
    url: server.wsUrl,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, auth.cookie ? { headers: { cookie: auth.cookie } } : {});
      }
    },
    connectionParams: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

/** Collects subscription results until `stop(results)` is true or the timeout passes. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>, stop: (all: T[]) => boolean, timeoutMs = 20_000) {
  return new Promise<{ events: T[]; errors: unknown[]; completed: boolean }>((resolve) => {
    const events: T[] = [];
    const errors: unknown[] = [];
    let done = false;
    const finish = (completed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      resolve({ events, errors, completed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) errors.push(...r.errors);
          if (r.data) events.push(r.data as T);
          if (stop(events)) finish(false);
        },
        error: (e) => {
          errors.push(e);
          finish(false);
        },
        complete: () => finish(true),
      },
    );
  });
}

export function cookieOf(client: { cookies: Map<string, string> }): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}
