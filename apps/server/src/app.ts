// createApp({ store }) → a ready HTTP + WebSocket server (not yet listening): Express 5 with Apollo Server 5
// at /graphql, graphql-ws subscriptions on the same port and path, POST /uploads, GET /samples/:id/image,
// GET /analyses/:id/layout.
// Tests call createApp with a test store and listen(0); main.ts does the same with the real config.
import "reflect-metadata";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { Store } from "@stratum/db";
import { loadConfig, type ServerConfig } from "./env.js";
import { makeContext, type AppServices, type Context, type Viewer } from "./context.js";
import { authenticate, type Credentials } from "./auth/authenticate.js";
import { LoginRateLimiter } from "./auth/rate-limit.js";
import { AuthCache } from "./auth/auth-cache.js";
import { ChangeFeed } from "./cache/notified-cache.js";
import { buildStratumSchema, type SchemaOptions } from "./schema.js";
import { queryLimitsPlugin, wsLimitErrors } from "./graphql/limits.js";
import { clientIp, originAllowed } from "./http/auth.js";
import { annotateClient, compileTrust } from "./http/client-address.js";
import { uploadRoute } from "./modules/upload/upload.route.js";
import { similarUploadRoute } from "./modules/data-quality/similar-upload.js";
import { graphqlRoute, isGraphqlPath, sendJsonError } from "./http/graphql-route.js";
import { imageRoute } from "./http/images.js";
import { layoutColumnRoute, layoutRoute } from "./modules/analysis/analysis.layout.js";
import { sweepUploads } from "./modules/upload/upload.service.js";

export interface CreateAppOptions {
  store: Store;
  /** Overrides on top of the environment (tests: { nodeEnv: "test", uploadDir, … }). */
  config?: Partial<ServerConfig>;
  /** Extra long-lived services, reachable as ctx.app.extras (event bus, job queue…). */
  extras?: Record<string, unknown>;
  /** Extra TypeGraphQL build options (e.g. pubSub for subscriptions). */
  schemaOptions?: Partial<SchemaOptions>;
  /** Extra Apollo plugins. */
  plugins?: ApolloServerPlugin<Context>[];
  /** Adds plain HTTP routes (e.g. streamed downloads) before /graphql. */
  routes?: (app: express.Express, services: AppServices) => void;
  /** Called on close(), in order, after the servers stop (not the store: the caller owns it). */
  onClose?: Array<() => Promise<void> | void>;
}

export interface StratumApp {
  httpServer: http.Server;
  express: express.Express;
  schema: GraphQLSchema;
  services: AppServices;
  /** Starts listening; port 0 picks a free port. Resolves with the bound port and the GraphQL URL. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string; wsUrl: string }>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024; // 2 MiB: a GraphQL request body over HTTP, a frame over graphql-ws

const ALLOWED_HEADERS = "content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-upload-filename";

export async function createApp(options: CreateAppOptions): Promise<StratumApp> {
  const config: ServerConfig = { ...loadConfig(), ...options.config };
  const services: AppServices = {
    store: options.store,
    config,
    loginLimiter: new LoginRateLimiter(options.store.sql, {
      perPairMax: config.loginMaxFailures,
      perIpMax: config.loginMaxPerIp,
      windowMs: config.loginWindowMs,
      freeFailures: config.loginFreeFailures,
      backoffBaseMs: config.loginBackoffBaseMs,
      backoffMaxMs: config.loginBackoffMaxMs,
    }),
    authCache: new AuthCache(config.authCacheMs),
    changes: await ChangeFeed.open(options.store, config.caches),
    extras: { ...options.extras },
  };
  services.authCache.follow(services.changes);
  const schema = await buildStratumSchema(options.schemaOptions);
  const app = express();
  app.disable("x-powered-by");
  // An ETag would hash every GraphQL response body, and POST responses are never revalidated.
  app.set("etag", false);
  // Express's own req.ip is not used (clientIp reads our annotation); keep it consistent all the same.
  const trust = compileTrust(config.trustProxy);
  app.set("trust proxy", trust);
  // graphqlHttp is defined once Apollo has started, below; requests only arrive after listen().
  // Every request and WebSocket upgrade gets its client (address, HTTPS) resolved once, here.
  const httpServer = http.createServer((req, res) => {
    annotateClient(req, trust);
    if (isGraphqlPath(req.url)) graphqlHttp(req, res);
    else app(req, res);
  });
  httpServer.prependListener("upgrade", (req: http.IncomingMessage) => annotateClient(req, trust));
  const production = config.nodeEnv === "production";

  // CORS for the web app's origin(s), with credentials (cookies); /graphql answers it in its own route.
  const cors = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const origin = req.headers.origin;
    if (!origin || !config.corsOrigins.includes(origin)) return false;
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Vary", "Origin");
    if (req.method !== "OPTIONS") return false;
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    res.setHeader("Access-Control-Max-Age", "600");
    res.writeHead(204).end();
    return true;
  };
  app.use((req, res, next) => {
    if (!cors(req, res)) next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, storage: options.store.kind });
  });
  app.post("/uploads", uploadRoute(services));
  app.get("/samples/:id/image", imageRoute(services));
  app.get("/analyses/:id/layout", layoutRoute(services));
  app.get("/analyses/:id/layout/columns/:name", layoutColumnRoute(services));
  app.post("/embedding-sets/:id/similar", similarUploadRoute(services));
  options.routes?.(app, services);

  // Faults (no code, or INTERNAL_SERVER_ERROR) are logged and, in production, answered without their
  // message; shared by Apollo (formatError) and graphql-ws (onError/onNext).
  function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const code = formatted.extensions?.code;
    if (code === "INTERNAL_SERVER_ERROR" || code === undefined) {
      const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
      if (config.nodeEnv !== "test") console.error("[graphql] fault:", original);
      if (production) {
        return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
      }
    }
    return formatted;
  }

  // graphql-ws on the same port and path. The connection authenticates (cookie from an allowed origin, or
  // connectionParams.authorization); every operation re-checks those credentials, so a revoked token or
  // ended session stops working on an open socket too. Each operation gets a fresh context and loaders, and
  // the same depth and complexity limits as over HTTP.
  // Frames are capped like HTTP bodies (2 MiB): ws closes a socket sending more with 1009 (the default was
  // 100 MiB). Validation uses Apollo's rules: no introspection in production. Errors go through the same
  // masking as HTTP (maskError), so a fault's message never reaches the socket in production.
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: MAX_BODY_BYTES });
  const wsRules = production ? [...specifiedRules, NoSchemaIntrospectionCustomRule] : specifiedRules;
  const wsSockets = new WeakMap<object, { credentials: Credentials; viewer: Viewer | null }>();
  const limits = { maxDepth: config.maxQueryDepth, maxComplexity: config.maxQueryComplexity };
  const wsCleanup = useServer(
    {
      schema,
      validate: (schema, document) => validate(schema, document, wsRules),
      // `error` messages are parse, validation and limit errors, about the document (never a fault's
      // message): typed like Apollo's, GRAPHQL_VALIDATION_FAILED when they carry no code of their own.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const formatted = e.toJSON();
          return formatted.extensions?.code ? formatted : { ...formatted, extensions: { ...formatted.extensions, code: "GRAPHQL_VALIDATION_FAILED" } };
        }),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
        result.errors?.length ? { ...result, errors: result.errors.map((e) => maskError(e.toJSON(), e)) } : undefined,
      onConnect: async (ctx) => {
        const req = ctx.extra.request;
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const authorization =
          typeof params.authorization === "string"
            ? params.authorization
            : typeof params.Authorization === "string"
              ? params.Authorization
              : undefined;
        const cookie = originAllowed(services, req.headers.origin, req.headers.host) ? req.headers.cookie : undefined;
        const credentials = { authorization, cookie };
        try {
          wsSockets.set(ctx.extra.socket, { credentials, viewer: await authenticate(services, credentials) });
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = wsSockets.get(ctx.extra.socket);
        if (!state) return [new GraphQLError("connection is not initialised", { extensions: { code: "UNAUTHENTICATED" } })];
        try {
          const viewer = await authenticate(services, state.credentials);
          if (state.viewer && !viewer) {
            return [new GraphQLError("the session has ended; sign in again", { extensions: { code: "UNAUTHENTICATED" } })];
          }
          state.viewer = viewer;
        } catch (error) {
          state.viewer = null;
          return [error instanceof GraphQLError ? error : new GraphQLError("authentication failed")];
        }
        return wsLimitErrors(limits, schema, payload);
      },
      context: (ctx) =>
        makeContext(services, wsSockets.get(ctx.extra.socket)?.viewer ?? null, {
          ip: clientIp(ctx.extra.request),
          req: ctx.extra.request,
        }),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: !production,
    // Apollo pretty-prints by default (two-space indent): more bytes and CPU on every response.
    stringifyResult: (result) => JSON.stringify(result),
    includeStacktraceInErrorResponses: !production,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      queryLimitsPlugin(limits),
      // No field has a cache hint, so Apollo's cache-control plugin only ever answered "no-store" while
      // hooking every resolver call (a measurable share of a small query): send the header directly.
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              response.http.headers.set("cache-control", "no-store");
            },
          };
        },
      },
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...(options.plugins ?? []),
    ],
    formatError: maskError,
  });
  await apollo.start();

  const graphqlHttp = graphqlRoute({
    apollo,
    bodyLimit: MAX_BODY_BYTES,
    cors,
    context: async (req, { cookies }) => {
      const cookie = originAllowed(services, req.headers.origin, req.headers.host) ? req.headers.cookie : undefined;
      const viewer = await authenticate(services, { authorization: req.headers.authorization, cookie });
      const client = annotateClient(req, trust);
      return makeContext(services, viewer, { ip: client.ip, secure: client.secure, req, res: cookies });
    },
  });

  // Errors in the Express routes (route faults, bodies they refuse) answer JSON with a
  // code — never Express's HTML page with a stack trace.
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const e = error as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    if (status >= 500 && config.nodeEnv !== "test") console.error("[http] fault:", error);
    const code =
      e.type === "entity.parse.failed"
        ? "BAD_REQUEST"
        : e.type === "entity.too.large"
          ? "LIMIT_EXCEEDED"
          : status >= 500
            ? "INTERNAL_SERVER_ERROR"
            : "BAD_REQUEST";
    const message =
      status >= 500 && production ? "Internal server error" : (e.message ?? "request failed").slice(0, 500);
    sendJsonError(res, status, code, message);
  });

  // Housekeeping, hourly and once at start: stale uploads and expired sessions.
  const sweep = async () => {
    try {
      await sweepUploads(config.uploadDir);
      await options.store.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
      await services.loginLimiter.sweep();
    } catch (error) {
      if (config.nodeEnv !== "test") console.error("[sweep] failed:", error);
    }
  };
  const sweepTimer = setInterval(() => void sweep(), 3_600_000); // 1 h
  sweepTimer.unref();
  await sweep();

  let closed = false;
  return {
    httpServer,
    express: app,
    schema,
    services,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          httpServer.off("error", reject);
          const bound = (httpServer.address() as AddressInfo).port;
          const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
          resolve({
            port: bound,
            url: `http://${shownHost}:${bound}/graphql`,
            wsUrl: `ws://${shownHost}:${bound}/graphql`,
          });
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweepTimer);
      await apollo.stop(); // drains HTTP (ApolloServerPluginDrainHttpServer) and the WebSocket server
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await services.changes.close();
      for (const fn of options.onClose ?? []) await fn();
    },
  };
}
