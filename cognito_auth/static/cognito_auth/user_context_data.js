/*
 * Threat protection's device data for cognito_auth's forms (the
 * {% cognito_user_context_data %} tag). Cognito's advanced-security script, loaded just
 * before this one, computes it; this puts it in the form's hidden EncodedData field when
 * the page loads and again when the form is sent, with the username as typed.
 * Without that script (blocked, or offline) the field stays empty and the form works.
 *
 * Source: Amazon Cognito Developer Guide, "Collecting data for threat protection in
 * applications": AmazonCognitoAdvancedSecurityData.getData(username, userPoolId, clientId).
 */
(function () {
  "use strict";

  function fill(field) {
    if (typeof window.AmazonCognitoAdvancedSecurityData === "undefined") {
      return;
    }
    var typed = field.form && field.form.querySelector("input[name=username]");
    var username = (typed && typed.value) || field.getAttribute("data-username") || "";
    try {
      field.value = window.AmazonCognitoAdvancedSecurityData.getData(
        username, field.getAttribute("data-user-pool-id"), field.getAttribute("data-client-id")
      ) || "";
    } catch (error) {
      field.value = "";
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-cognito-user-context]"), function (field) {
    fill(field);
    if (field.form) {
      field.form.addEventListener("submit", function () {
        fill(field);
      });
    }
  });
}());
