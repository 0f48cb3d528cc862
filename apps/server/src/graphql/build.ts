// Builds GraphQL objects from database rows: an instance of the type class (so Node's resolveType works),
// with the row's columns, `dbId` = the numeric key and `id` = the opaque global ID.
import { toGlobalId } from "./ids.js";

export function fromRow<T extends object, R extends { id: number }>(
  type: new () => T,
  typeName: string,
  row: R,
): T & Omit<R, "id"> & { id: string; dbId: number } {
  const object = Object.assign(new type(), row) as unknown as T & Omit<R, "id"> & { id: string; dbId: number };
  object.dbId = row.id;
  object.id = toGlobalId(typeName, row.id);
  return object;
}
