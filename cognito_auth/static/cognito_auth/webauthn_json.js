/*
 * What passkeys.js (registration) and passkey_sign_in.js (sign-in) share: WebAuthn's JSON
 * forms carry byte fields as base64url (W3C Web Authentication Level 3, 5.1.3 and 5.8.3),
 * while navigator.credentials takes and gives ArrayBuffers. Loaded before either script;
 * no dependencies, no inline script.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // A PublicKeyCredentialDescriptorJSON (allowCredentials, excludeCredentials) as the API wants it.
  function descriptor(item) {
    var copy = { type: item.type, id: toBytes(item.id) };
    if (item.transports && item.transports.length) {
      copy.transports = item.transports;
    }
    return copy;
  }

  // Shows the text of the form's data-message-<key> attribute in the status element.
  function say(form, status, key) {
    status.textContent = form.getAttribute("data-message-" + key) || "";
    status.hidden = false;
  }

  // The form's submit: the options from their JSON block (build), the browser's ceremony
  // (call: navigator.credentials.get or .create), its result as JSON in the hidden field
  // (respond), the form posted. A failure shows the status text failureKey(error) names.
  function onSubmit(parts) {
    parts.form.addEventListener("submit", function (event) {
      event.preventDefault();
      parts.status.hidden = true;
      parts.button.disabled = true;
      var options;
      try {
        options = parts.build(JSON.parse(parts.optionsBlock.textContent));
      } catch (error) {
        say(parts.form, parts.status, "failed");
        parts.button.disabled = false;
        return;
      }
      parts.call(options).then(function (credential) {
        if (!credential) {
          throw new DOMException("no credential", "NotAllowedError");
        }
        parts.field.value = JSON.stringify(parts.respond(credential));
        parts.form.submit();
      }).catch(function (error) {
        say(parts.form, parts.status, parts.failureKey(error && error.name));
        parts.button.disabled = false;
      });
    });
  }

  window.cognitoAuthWebAuthn = {
    toBytes: toBytes, toBase64url: toBase64url, descriptor: descriptor, say: say, onSubmit: onSubmit
  };
}());
