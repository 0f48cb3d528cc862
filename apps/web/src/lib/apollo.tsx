"use client";
// Apollo Client 4: HTTP (queries, mutations) through the same-origin proxy at /api/graphql, and
// subscriptions over graphql-ws straight to the API. The split sends each operation to one of them.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { isSubscriptionOperation } from "@apollo/client/utilities";
import { createClient, type Client } from "graphql-ws";
import { Observable } from "rxjs";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { typePolicies } from "./pagination";

export type WsStatus = "idle" | "connecting" | "connected" | "closed";

interface LiveState {
  status: WsStatus;
  ws: Client | null;
}

const LiveContext = createContext<LiveState>({ status: "idle", ws: null });

/** Whether the subscription socket is up, for the "live" dot in the top bar. */
export function useLiveStatus(): WsStatus {
  return useContext(LiveContext).status;
}

/**
 * Calls `callback` each time the subscription socket comes back after it closed (not on the first
 * connection): what a page that follows a live-only subscription re-reads, since events sent while the
 * socket was down are not replayed to it.
 */
export function useOnReconnect(callback: () => void, enabled = true): void {
  const { ws } = useContext(LiveContext);
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => {
    if (!ws || !enabled) return;
    let lost = false;
    const offClosed = ws.on("closed", () => {
      lost = true;
    });
    const offConnected = ws.on("connected", () => {
      if (!lost) return;
      lost = false;
      latest.current();
    });
    return () => {
      offClosed();
      offConnected();
    };
  }, [ws, enabled]);
}

function makeClient(wsUrl: string, onStatus: (s: WsStatus) => void): { client: ApolloClient; ws: Client | null } {
  const isBrowser = typeof window !== "undefined";
  const http = isBrowser
    ? new HttpLink({ uri: "/api/graphql", credentials: "same-origin" })
    : new ApolloLink(() => new Observable((o) => o.complete())); // server render: never fetch
  let link: ApolloLink = http;
  let ws: Client | null = null;
  if (isBrowser) {
    ws = createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      keepAlive: 15_000, // 15 s ping
      on: {
        connecting: () => onStatus("connecting"),
        connected: () => onStatus("connected"),
        // A lazy client closes the socket when no subscription is left: that is idle, not an outage.
        closed: () => onStatus("idle"),
      },
    });
    link = ApolloLink.split((op) => isSubscriptionOperation(op.query), new GraphQLWsLink(ws), http);
  }
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({ typePolicies }), // cursor pages merge in the cache (./pagination.ts)
    defaultOptions: {
      watchQuery: { fetchPolicy: "cache-and-network" },
    },
  });
  return { client, ws };
}

export function ApolloWrapper({ wsUrl, children }: { wsUrl: string; children: ReactNode }) {
  const [status, setStatus] = useState<WsStatus>("idle");
  const [state] = useState(() => makeClient(wsUrl, setStatus));
  useEffect(() => () => void state.ws?.dispose(), [state]);
  return (
    <LiveContext.Provider value={{ status, ws: state.ws }}>
      <ApolloProvider client={state.client}>{children}</ApolloProvider>
    </LiveContext.Provider>
  );
}
