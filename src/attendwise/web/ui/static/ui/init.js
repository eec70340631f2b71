// Runs before the page paints: tells GOV.UK Frontend that scripts run.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
