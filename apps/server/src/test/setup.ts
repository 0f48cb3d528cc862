// Loaded before every test file: TypeGraphQL's decorators need the Reflect metadata API.
import "reflect-metadata";
