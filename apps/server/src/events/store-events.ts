// SQL over the StreamEvent table, shared by both adapters.
import type { SqlClient } from "@stratum/db";
import type { BusEvent } from "./bus.js";

interface Row {
  id: number;
  topic: string;
  payload: unknown;
  createdAt: Date | string;
}

export function toEvent(row: Row): BusEvent {
  return { seq: Number(row.id), topic: row.topic, payload: row.payload, at: new Date(row.createdAt) };
}

export async function readSince(sql: SqlClient, topic: string, afterSeq: number, limit: number): Promise<BusEvent[]> {
  const r = await sql.query<Row>(
    `SELECT id, topic, payload, "createdAt" FROM "StreamEvent" WHERE topic = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [topic, afterSeq, limit],
  );
  return r.rows.map(toEvent);
}

export async function readOne(sql: SqlClient, seq: number): Promise<BusEvent | undefined> {
  const r = await sql.query<Row>(`SELECT id, topic, payload, "createdAt" FROM "StreamEvent" WHERE id = $1`, [seq]);
  return r.rows[0] ? toEvent(r.rows[0]) : undefined;
}

export async function readHead(sql: SqlClient): Promise<number> {
  const r = await sql.query<{ head: number | string | null }>(`SELECT max(id) AS head FROM "StreamEvent"`);
  return Number(r.rows[0]?.head ?? 0);
}

export async function prune(sql: SqlClient, olderThanMs: number): Promise<number> {
  const r = await sql.query<{ n: number | string }>(
    `WITH d AS (DELETE FROM "StreamEvent" WHERE "createdAt" < now() - make_interval(secs => $1) RETURNING 1)
     SELECT count(*) AS n FROM d`,
    [olderThanMs / 1000],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export function encodePayload(topic: string, payload: unknown): string {
  const json = payload === undefined ? undefined : JSON.stringify(payload);
  if (json === undefined) throw new TypeError(`event payload for ${topic}: expected JSON-serialisable value`);
  return json;
}

/** A publish waiting to be written: both adapters write what is pending together (write-combining). */
export interface PendingPublish {
  topic: string;
  json: string;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Encodes the payload (a bad one rejects at once, nothing queued), queues the publish and calls
 * startFlush; resolves with the event's sequence number once its batch is written.
 */
export function enqueuePublish(pending: PendingPublish[], topic: string, payload: unknown, startFlush: () => void): Promise<number> {
  let json: string;
  try {
    json = encodePayload(topic, payload);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<number>((resolve, reject) => {
    pending.push({ topic, json, resolve, reject });
    startFlush();
  });
}
