// Parses a Mermaid diagram with the official `mermaid` package and exits non-zero when it does
// not parse. Used by tests/review.rs to check the output of `stackcraft graph --format mermaid`.
//
// Usage: node mermaid_parse.mjs NODE_MODULES_DIR < diagram.mmd
// mermaid needs a DOM (for DOMPurify); jsdom provides one.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
if (!modules) {
  console.error("usage: node mermaid_parse.mjs NODE_MODULES_DIR < diagram.mmd");
  process.exit(2);
}
const require = createRequire(join(modules, "package.json"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);

const { JSDOM } = await load("jsdom");
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const mermaid = (await load("mermaid")).default;
mermaid.initialize({ startOnLoad: false });
const text = readFileSync(0, "utf8");
try {
  const result = await mermaid.parse(text);
  console.log(`parsed: ${result.diagramType}`);
} catch (e) {
  console.error(`mermaid could not parse the diagram: ${e.message ?? e}`);
  process.exit(1);
}
