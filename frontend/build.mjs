// Builds the service's front-end assets into static/build: our stylesheet compiled from Sass with
// GOV.UK Frontend and MOJ Frontend, and the scripts and fonts those need, copied from node_modules.
// Django's static files then serve them; nothing is ever fetched from a CDN.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "frontend", "app.scss"), {
  loadPaths: [root, modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div", "color-functions"],
});
writeFileSync(join(out, "app.css"), css.css);

const copies = [
  ["govuk-frontend/dist/govuk/all.bundle.js", "govuk-frontend.js"],
  ["@ministryofjustice/frontend/moj/all.bundle.js", "moj-frontend.js"],
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["govuk-frontend/dist/govuk/assets", "govuk-assets"],
  ["@ministryofjustice/frontend/moj/assets", "moj-assets"],
];
for (const [from, to] of copies) {
  cpSync(join(modules, from), join(out, to), { recursive: true });
}
cpSync(join(root, "frontend", "app.js"), join(out, "app.js"));
console.log(`Front-end assets built in ${out}`);
