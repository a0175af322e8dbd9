import { Type } from "typebox";
import { HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import { INVALID_CREDENTIALS } from "../../hub/accounts/authenticate.ts";
import { clientBaseUrl } from "../http.ts";
import { HANGAR_ERRORS, type NativeApp, TOKEN } from "../native/schemas.ts";

const NULLABLE_STRING = Type.Union([Type.String(), Type.Null()]);

const WHOAMI = Type.Object({
  type: Type.Literal("user"),
  id: Type.String(),
  name: Type.String(),
  fullname: Type.String(),
  email: NULLABLE_STRING,
  emailVerified: Type.Boolean(),
  isPro: Type.Boolean(),
  canPay: Type.Boolean(),
  avatarUrl: Type.String(),
  periodEnd: Type.Null(),
  billingMode: Type.String(),
  orgs: Type.Array(
    Type.Object({
      type: Type.Literal("org"),
      id: Type.String(),
      name: Type.String(),
      fullname: Type.String(),
      avatarUrl: Type.String(),
      roleInOrg: Type.String(),
    }),
  ),
  auth: Type.Object({
    type: Type.Literal("access_token"),
    accessToken: Type.Object({
      displayName: Type.String(),
      role: Type.String({ description: "read or write" }),
      createdAt: Type.String(),
    }),
  }),
});

/** `GET /api/whoami-v2`: the caller's account, as the Hub's clients read it. */
export function registerAccountRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/api/whoami-v2",
    {
      schema: {
        summary: "The account of the token's user (huggingface_hub's whoami)",
        tags: ["accounts"],
        security: TOKEN,
        response: { 200: WHOAMI, ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      const caller = request.caller;
      if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", INVALID_CREDENTIALS);
      const baseUrl = clientBaseUrl(request.raw, hangar.config);
      return {
        type: "user" as const,
        id: caller.user,
        name: caller.user,
        fullname: caller.fullname,
        email: caller.email,
        emailVerified: caller.email !== null,
        isPro: false,
        canPay: false,
        avatarUrl: `${baseUrl}/avatars/${encodeURIComponent(caller.user)}`,
        periodEnd: null,
        billingMode: "prepaid",
        orgs: caller.orgs.map((org) => ({
          type: "org" as const,
          id: org.name,
          name: org.name,
          fullname: org.fullname,
          avatarUrl: `${baseUrl}/avatars/${encodeURIComponent(org.name)}`,
          roleInOrg: org.role,
        })),
        auth: {
          type: "access_token" as const,
          accessToken: {
            displayName: caller.token.displayName,
            role: caller.token.role === "admin" ? "write" : caller.token.role,
            createdAt: caller.token.createdAt,
          },
        },
      };
    },
  );
}
