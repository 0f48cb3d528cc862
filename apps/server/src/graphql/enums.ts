// Database enums exposed in GraphQL. Register each once here (or in the owning module).
import { registerEnumType } from "type-graphql";
import { Role, EmbeddingModelKind } from "@stratum/db";

registerEnumType(Role, {
  name: "Role",
  description: "A member's role in a consortium: OWNER > CURATOR > REVIEWER > VIEWER.",
  valuesConfig: {
    OWNER: { description: "Manages members, sites and tokens; everything a curator can." },
    CURATOR: { description: "Imports data, runs analyses and selections, finalises reviews." },
    REVIEWER: { description: "Accepts, rejects or flags selected items." },
    VIEWER: { description: "Reads everything in the consortium (site-scoped members: their site's URIs only)." },
  },
});

registerEnumType(EmbeddingModelKind, {
  name: "EmbeddingModelKind",
  description: "Where an embedding model's vectors come from.",
});

export { Role, EmbeddingModelKind };
