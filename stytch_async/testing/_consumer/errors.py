"""The consumer API's error types: status and message for each ``error_type`` its handlers raise."""

from __future__ import annotations

from stytch_async.testing._engine.errors import ErrorTable

# Messages of types listed in Stytch's error reference follow it; the rest are short
# descriptions of what went wrong.
CONSUMER_ERRORS: ErrorTable = {
    "invalid_user_id": (400, "user_id format is invalid."),
    "invalid_session_id": (400, "session_id format is invalid."),
    "invalid_expiration_otp": (400, "expiration_minutes for a passcode must be between 1 and 10."),
    "duplicate_email": (400, "A user with this email already exists."),
    "duplicate_phone_number": (400, "A user with this phone number already exists."),
    "duplicate_user_external_id": (400, "Another user already has this external_id."),
    "user_id_mismatch": (400, "The session belongs to a different user."),
    "no_user_password": (400, "This user has no password."),
    "reset_password": (400, "This password must be reset before it can be used."),
    "session_too_old_to_reset_password": (
        400,
        "The session was last authenticated more than 5 minutes ago; authenticate again first.",
    ),
    "expired_totp": (400, "The TOTP registration expired before it was verified."),
    "totp_code_used_as_recovery_code": (400, "A TOTP code was passed where a recovery code belongs."),
    "user_search_invalid_cursor": (400, "The cursor is not one this search handed out."),
    "user_search_invalid_limit": (400, "limit must be between 1 and 1000."),
    "user_search_invalid_operator": (400, "operator must be AND or OR."),
    "user_search_filter_name_not_recognized": (400, "The filter_name is not a known user search filter."),
    "user_search_missing_filter_value": (400, "Every operand needs a filter_value."),
    "user_search_expected_array_of_string": (400, "This filter takes a list of strings."),
    "user_search_expected_bool": (400, "This filter takes a boolean."),
    "user_search_expected_string": (400, "This filter takes a string."),
    "user_search_expected_timestamp": (400, "This filter takes an RFC 3339 timestamp."),
    "user_search_invalid_status_filter": (400, "status must be active or pending."),
    "m2m_search_filter_name_not_recognized": (400, "The filter_name is not a known M2M search filter."),
    "m2m_search_missing_filter_value": (400, "Every operand needs a filter_value."),
    "m2m_search_expected_array_of_strings": (400, "This filter takes a list of strings."),
    "duplicate_m2m_client_id": (400, "An M2M client with this client_id already exists."),
    "invalid_m2m_client_scope": (400, "Scopes must be non-empty strings without spaces."),
    "invalid_m2m_client_status": (400, "status must be active or inactive."),
    "insecure_m2m_client_secret": (400, "A client_secret must be at least 32 characters."),
    "m2m_client_already_rotating_secret": (400, "A secret rotation is already in progress."),
    "m2m_client_not_rotating_secret": (400, "No secret rotation is in progress; call rotate_start first."),
    "email_not_found": (404, "Email could not be found."),
    "phone_number_not_found": (404, "Phone number could not be found."),
    "user_not_found": (404, "User could not be found."),
    "magic_link_not_found": (404, "Magic link could not be found."),
    "otp_code_not_found": (404, "No passcode is waiting for this method_id."),
    "password_not_found": (404, "Password could not be found."),
    "m2m_client_not_found": (404, "The m2m client requested could not be found."),
    "crypto_wallet_not_found": (404, "Crypto wallet could not be found."),
    "webauthn_registration_not_found": (404, "WebAuthn registration could not be found."),
    "biometric_registration_not_found": (404, "Biometric registration could not be found."),
    "oauth_user_registration_not_found": (404, "OAuth user registration could not be found."),
}
