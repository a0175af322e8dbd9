import { HangarError } from "../../core/errors.ts";
import { INVALID_CREDENTIALS } from "../../hub/accounts/authenticate.ts";
import { sendJson } from "../http.ts";
import type { Router } from "../router.ts";

export function registerAccountRoutes(router: Router): void {
  router.add("GET", "/api/whoami-v2", ({ caller, response, baseUrl }) => {
    if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", INVALID_CREDENTIALS);
    sendJson(response, 200, {
      type: "user",
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
        type: "org",
        id: org.name,
        name: org.name,
        fullname: org.fullname,
        avatarUrl: `${baseUrl}/avatars/${encodeURIComponent(org.name)}`,
        roleInOrg: org.role,
      })),
      auth: {
        type: "access_token",
        accessToken: {
          displayName: caller.token.displayName,
          role: caller.token.role === "admin" ? "write" : caller.token.role,
          createdAt: caller.token.createdAt,
        },
      },
    });
  });
}
