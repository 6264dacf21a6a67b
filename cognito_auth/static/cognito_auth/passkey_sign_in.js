/*
 * Passkey sign-in for cognito_auth. No dependencies, no inline script.
 *
 * On the login page it shows the "Sign in with a passkey" button (hidden without
 * JavaScript or WebAuthn: it is the one method that needs them). On the passkey step
 * page it turns Cognito's CREDENTIAL_REQUEST_OPTIONS (the JSON form of WebAuthn's
 * PublicKeyCredentialRequestOptions, byte fields in base64url, from a
 * <script type="application/json"> block) into navigator.credentials.get() and posts the
 * result back as AuthenticationResponseJSON in the form's hidden "credential" field
 * (W3C Web Authentication Level 3, 5.1.4 and 5.1.3). Texts come from the form's
 * data-message-* attributes.
 */
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.get);

  var loginButton = document.getElementById("passkey-sign-in");
  if (loginButton && supported) {
    loginButton.hidden = false;
  }

  var shared = window.cognitoAuthWebAuthn;  // webauthn_json.js, loaded first
  var toBytes = shared.toBytes;
  var toBase64url = shared.toBase64url;
  var parts = shared.page("passkey-sign-in-form", "passkey-request-options", "passkey-use");
  if (!parts) {
    return;
  }

  function requestOptions(json) {
    return shared.copyPresent(json, {
      challenge: toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map(shared.descriptor)
    }, ["rpId", "timeout", "userVerification", "extensions", "hints"]);
  }

  function authenticationResponse(credential) {
    var response = credential.response;
    var fields = {
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature)
    };
    if (response.userHandle) {
      fields.userHandle = toBase64url(response.userHandle);
    }
    return shared.credentialJSON(credential, fields);
  }

  if (!supported) {
    parts.say("unsupported");
    return;
  }
  parts.button.hidden = false;

  shared.onSubmit(parts, {
    build: requestOptions,
    call: function (options) { return navigator.credentials.get(options); },
    respond: authenticationResponse,
    // NotAllowedError: cancelled, timed out, or no authenticator holds one of the passkeys.
    failureKey: function (name) { return name === "NotAllowedError" ? "cancelled" : "failed"; }
  });
}());
