// Progressive enhancement only: every core journey works without JavaScript.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
if (window.MOJFrontend) {
  window.MOJFrontend.initAll();
}
