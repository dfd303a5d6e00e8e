// Who is calling the portal: one shape for a person signed in through the identity provider and for
// a machine client holding a shared token, so authorization and the audit trail treat them alike.

/** How the caller proved who they are. */
export type Via = "oidc" | "proxy" | "machine";

export interface Person {
    /** The token's `sub` claim; `machine:<name>` for a machine client (never collides with a sub). */
    id: string;
    name?: string;
    email?: string;
    /** Groups from the token's groups claim (or the machine client's config); grants match these. */
    groups: string[];
    via: Via;
}
