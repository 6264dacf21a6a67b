/*
 * Passkey registration for cognito_auth's "Add a passkey" page. No dependencies, no
 * inline script: the options come from a <script type="application/json"> block, the
 * texts from the form's data-message-* attributes.
 *
 * Cognito's CredentialCreationOptions (StartWebAuthnRegistration) are the JSON form of
 * WebAuthn's PublicKeyCredentialCreationOptions: byte fields in base64url. This turns
 * them into the navigator.credentials.create() call and posts the result back as
 * RegistrationResponseJSON in the form's hidden "credential" field (W3C Web
 * Authentication Level 3, 5.1.8 and 5.1.3).
 */
(function () {
  "use strict";

  var shared = window.cognitoAuthWebAuthn;  // webauthn_json.js, loaded first
  var toBytes = shared.toBytes;
  var toBase64url = shared.toBase64url;
  var parts = shared.page("passkey-register-form", "passkey-creation-options", "passkey-create");
  if (!parts) {
    return;
  }

  function creationOptions(json) {
    return shared.copyPresent(json, {
      challenge: toBytes(json.challenge),
      rp: json.rp,
      user: { id: toBytes(json.user.id), name: json.user.name, displayName: json.user.displayName },
      pubKeyCredParams: json.pubKeyCredParams,
      excludeCredentials: (json.excludeCredentials || []).map(shared.descriptor)
    }, ["timeout", "authenticatorSelection", "attestation", "extensions", "hints"]);
  }

  function registrationResponse(credential) {
    var response = credential.response;
    var fields = {
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : []
    };
    if (typeof response.getAuthenticatorData === "function") {
      fields.authenticatorData = toBase64url(response.getAuthenticatorData());
    }
    if (typeof response.getPublicKeyAlgorithm === "function") {
      fields.publicKeyAlgorithm = response.getPublicKeyAlgorithm();
    }
    if (typeof response.getPublicKey === "function" && response.getPublicKey()) {
      fields.publicKey = toBase64url(response.getPublicKey());
    }
    return shared.credentialJSON(credential, fields);
  }

  if (!window.PublicKeyCredential || !navigator.credentials || !navigator.credentials.create) {
    parts.say("unsupported");
    return;
  }
  parts.button.hidden = false;

  shared.onSubmit(parts, {
    build: creationOptions,
    call: function (options) { return navigator.credentials.create(options); },
    respond: registrationResponse,
    // NotAllowedError: the person cancelled, or no authenticator answered in time.
    // InvalidStateError: this authenticator already holds one of excludeCredentials.
    failureKey: function (name) {
      if (name === "NotAllowedError") {
        return "cancelled";
      }
      return name === "InvalidStateError" ? "exists" : "failed";
    }
  });
}());
