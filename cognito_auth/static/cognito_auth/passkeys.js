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

  var form = document.getElementById("passkey-register-form");
  var optionsBlock = document.getElementById("passkey-creation-options");
  if (!form || !optionsBlock) {
    return;
  }
  var button = document.getElementById("passkey-create");
  var status = document.getElementById("passkey-status");
  var field = form.querySelector("input[name=credential]");

  function say(key) {
    shared.say(form, status, key);
  }

  var shared = window.cognitoAuthWebAuthn;  // webauthn_json.js, loaded first
  var toBytes = shared.toBytes;
  var toBase64url = shared.toBase64url;

  function creationOptions(json) {
    var publicKey = {
      challenge: toBytes(json.challenge),
      rp: json.rp,
      user: { id: toBytes(json.user.id), name: json.user.name, displayName: json.user.displayName },
      pubKeyCredParams: json.pubKeyCredParams,
      excludeCredentials: (json.excludeCredentials || []).map(shared.descriptor)
    };
    ["timeout", "authenticatorSelection", "attestation", "extensions", "hints"].forEach(function (name) {
      if (json[name] !== undefined) {
        publicKey[name] = json[name];
      }
    });
    return { publicKey: publicKey };
  }

  function registrationResponse(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: typeof response.getTransports === "function" ? response.getTransports() : []
      },
      clientExtensionResults: credential.getClientExtensionResults()
    };
    if (typeof response.getAuthenticatorData === "function") {
      json.response.authenticatorData = toBase64url(response.getAuthenticatorData());
    }
    if (typeof response.getPublicKeyAlgorithm === "function") {
      json.response.publicKeyAlgorithm = response.getPublicKeyAlgorithm();
    }
    if (typeof response.getPublicKey === "function" && response.getPublicKey()) {
      json.response.publicKey = toBase64url(response.getPublicKey());
    }
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return json;
  }

  if (!window.PublicKeyCredential || !navigator.credentials || !navigator.credentials.create) {
    say("unsupported");
    return;
  }
  button.hidden = false;

  shared.onSubmit({
    form: form, button: button, status: status, field: field, optionsBlock: optionsBlock,
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
