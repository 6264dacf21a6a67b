"""The Passkeys page: a signed-in person registers, lists and removes their passkeys
(StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
DeleteWebAuthnCredential, each with the session's access token)."""
