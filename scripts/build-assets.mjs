// Builds the front-end into static_build/: compiles our Sass against GOV.UK Frontend and copies the
// package's JavaScript and images, so the site serves everything itself and needs no CDN.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static_build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const result = sass.compile(join(root, "assets", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "main.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "images"), { recursive: true });
cpSync(join(root, "assets", "js"), join(out, "js"), { recursive: true });
console.log(`Built front-end assets into ${out}`);
