import { Resolver } from "type-graphql";
import { registerNode } from "../../graphql/node.js";
import { User } from "./user.type.js";
import { visibleUser } from "./user.service.js";

registerNode("User", visibleUser);

@Resolver(() => User)
export class UserResolver {}
