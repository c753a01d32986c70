"""The B2B API's error types: status and message for each ``error_type`` its handlers raise.

Types and messages found in Stytch's published B2B error reference follow it;
the rest name what went wrong in Stytch's style, and the docs list them.
"""

from __future__ import annotations

from stytch_async.testing._engine.errors import ErrorTable

B2B_ERRORS: ErrorTable = {
    "action_available_only_once_primary_authentication_is_met": (
        400,
        "You must complete the primary authentication requirements for an organization before completing an MFA flow.",
    ),
    "allowed_auth_methods_required_for_restricted": (
        400,
        "Allowed auth methods must be set for 'RESTRICTED' auth methods",
    ),
    "allowed_mfa_methods_required_for_restricted": (
        400,
        "Allowed mfa methods must be set for 'RESTRICTED' auth methods",
    ),
    "email_allowed_domains_required_for_restricted": (
        400,
        "email_allowed_domains must be set for a RESTRICTED setting.",
    ),
    "invalid_member_id": (400, "member_id format is invalid."),
    "invalid_organization_slug": (
        400,
        "organization_slug must be 2 to 128 characters of lower-case letters, digits, '-', '.', '_' or '~'.",
    ),
    "invalid_email_domain": (400, "The domain is not a valid domain name."),
    "invalid_search_query": (400, "The search query, cursor or limit is invalid."),
    "invalid_rbac_role": (400, "A role named is not defined for the project or the organization."),
    "invalid_rbac_permission": (400, "A permission names an unknown resource or action."),
    "duplicate_rbac_role": (400, "A role with this role_id is already defined."),
    "organization_slug_already_used": (400, "Another organization already uses this organization_slug."),
    "duplicate_organization_external_id": (
        400,
        "Another organization already has this organization_external_id.",
    ),
    "duplicate_member_email": (400, "A member with this email address already exists in the organization."),
    "duplicate_member_external_id": (400, "Another member already has this external_id."),
    "duplicate_member_phone_number": (
        400,
        "Another member of the organization already has this phone number.",
    ),
    "member_already_active": (400, "This member is already active."),
    "member_phone_number_already_verified": (
        400,
        "The member's phone number is verified and cannot be replaced by sending a passcode.",
    ),
    "session_member_mismatch": (400, "The session belongs to a different member."),
    "intermediate_session_mismatch": (
        400,
        "The intermediate session token belongs to a different email address or member.",
    ),
    "session_exchange_same_organization": (400, "The session already belongs to this organization."),
    "email_jit_provisioning_not_allowed": (
        403,
        "The organization does not let this email address join: it is not a member, and its domain is not allowed.",
    ),
    "email_invites_not_allowed": (403, "The organization does not allow invites to this email address."),
    "tenancy_mismatch": (403, "The authorization_check names another organization than the session's."),
    "session_authorization_error": (
        403,
        "The Member is not authorized to perform the requested action on that resource.",
    ),
    "organization_not_found": (404, "Organization could not be found."),
    "member_not_found": (404, "Member could not be found."),
    "member_phone_number_not_found": (404, "The member has no MFA phone number; pass mfa_phone_number."),
    "intermediate_session_not_found": (404, "The intermediate session token is unknown, used or expired."),
}
