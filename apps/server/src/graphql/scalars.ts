// Scalars used across the schema. DateTime is ISO-8601; JSON carries free-form metadata and parameters.
export { GraphQLDateTimeISO as DateTimeScalar, GraphQLJSON as JSONScalar, GraphQLJSONObject as JSONObjectScalar } from "graphql-scalars";
