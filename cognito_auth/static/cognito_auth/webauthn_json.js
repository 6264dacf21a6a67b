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

  // Copies the options among `names` that the JSON form carries as they are (no bytes).
  function copyPresent(json, publicKey, names) {
    names.forEach(function (name) {
      if (json[name] !== undefined) {
        publicKey[name] = json[name];
      }
    });
    return { publicKey: publicKey };
  }

  // What RegistrationResponseJSON and AuthenticationResponseJSON share (5.1.3, 5.1.4);
  // `fields` are the response's own, already in JSON form.
  function credentialJSON(credential, fields) {
    fields.clientDataJSON = toBase64url(credential.response.clientDataJSON);
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: fields,
      clientExtensionResults: credential.getClientExtensionResults()
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return json;
  }

  // The ceremony page's parts by id: its form (with the hidden "credential" field and the
  // data-message-* texts), the JSON options block, the button and the status element;
  // null when this page has no such form. page.say(key) shows data-message-<key>.
  function page(formId, optionsId, buttonId) {
    var form = document.getElementById(formId);
    var optionsBlock = document.getElementById(optionsId);
    if (!form || !optionsBlock) {
      return null;
    }
    var status = document.getElementById("passkey-status");
    return {
      form: form, optionsBlock: optionsBlock, status: status,
      button: document.getElementById(buttonId),
      field: form.querySelector("input[name=credential]"),
      say: function (key) {
        status.textContent = form.getAttribute("data-message-" + key) || "";
        status.hidden = false;
      }
    };
  }

  // The page's submit: the options from their JSON block (ceremony.build), the browser's
  // ceremony (ceremony.call: navigator.credentials.get or .create), its result as JSON in
  // the hidden field (ceremony.respond), the form posted. A failure shows the status text
  // ceremony.failureKey(error name) names.
  function onSubmit(parts, ceremony) {
    parts.form.addEventListener("submit", function (event) {
      event.preventDefault();
      parts.status.hidden = true;
      parts.button.disabled = true;
      var options;
      try {
        options = ceremony.build(JSON.parse(parts.optionsBlock.textContent));
      } catch (error) {
        parts.say("failed");
        parts.button.disabled = false;
        return;
      }
      ceremony.call(options).then(function (credential) {
        if (!credential) {
          throw new DOMException("no credential", "NotAllowedError");
        }
        parts.field.value = JSON.stringify(ceremony.respond(credential));
        parts.form.submit();
      }).catch(function (error) {
        parts.say(ceremony.failureKey(error && error.name));
        parts.button.disabled = false;
      });
    });
  }

  window.cognitoAuthWebAuthn = {
    toBytes: toBytes, toBase64url: toBase64url, descriptor: descriptor, copyPresent: copyPresent,
    credentialJSON: credentialJSON, page: page, onSubmit: onSubmit
  };
}());
