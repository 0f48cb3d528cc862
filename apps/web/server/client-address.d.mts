import type { IncomingMessage } from "node:http";
export declare const CLIENT_IP_HEADER: "x-stratum-client-ip";
export declare const CLIENT_PROTO_HEADER: "x-stratum-client-proto";
export declare function normalizeIp(ip: string | undefined): string;
export declare function compileTrust(raw: string | undefined): (address: string) => boolean;
export declare function resolveClient(
  req: { remoteAddress?: string; encrypted?: boolean; headers: Record<string, string | string[] | undefined> },
  trusted: (address: string) => boolean,
): { ip: string; proto: "http" | "https" };
export declare function stampClient(req: IncomingMessage, trusted: (address: string) => boolean): void;
