// Validates every descriptor of fixtures/ with schemas/xs-security.schema.json through
// vscode-json-languageservice (VS Code's JSON engine) and compares with `xsuaa-lint check`:
// each error the editor would show must be one xsuaa-lint reports too (XS001 or XS002 on the
// same line). Usage: node check.mjs BINARY REPOSITORY_ROOT [FOLDER]. Prints JSON: the files, and the
// differences both ways; exits 1 if the editor shows an error that xsuaa-lint does not.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

const require = createRequire(import.meta.url);
const { getLanguageService, TextDocument, DiagnosticSeverity } = require("vscode-json-languageservice");
// A third argument names another folder of descriptors (the workspace corpus) instead of fixtures/.
const [binary, root, folder = join(root, "fixtures")] = process.argv.slice(2);
const schemaText = readFileSync(join(root, "schemas/xs-security.schema.json"), "utf8");
const schema = JSON.parse(schemaText);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith(".json")) out.push(path);
  }
  return out;
}
// Descriptors only: a name xsuaa-lint takes for a credentials dump (XS120) is not one, as
// src/discover.rs decides (`is_credentials_name`), nor a package.json (read for its scripts).
const credentials = ["default-env", "default-services", "vcap", "service-key", "servicekey", "-key.json", "_key.json",
  "credentials", "binding"];
const isDescriptor = (path) => {
  const name = path.split("/").at(-1).toLowerCase();
  if (name === "package.json") return false;
  return name.startsWith("xs-security") || !credentials.some((part) => name.includes(part));
};
const files = walk(folder, []).filter(isDescriptor);

let report = "[]";
try {
  report = execFileSync(binary, ["check", "--isolated", "--output-format", "json", ...files], { cwd: root, encoding: "utf8" });
} catch (e) {
  report = e.stdout; // exit status 1: findings
}
const findings = JSON.parse(report).filter((d) => d.code === "XS001" || d.code === "XS002");
const byPath = new Map();
for (const f of findings) {
  const list = byPath.get(f.path) ?? [];
  list.push(f);
  byPath.set(f.path, list);
}

const service = getLanguageService({});
service.configure({ validate: true, allowComments: false, schemas: [{ uri: schema.$id, fileMatch: ["*.json"], schema }] });
const editorOnly = [];
const linterOnly = [];
let editorErrors = 0;
for (const file of files) {
  const shown = relative(root, file).startsWith("..") ? file : relative(root, file);
  // An editor decodes a byte-order mark away; it is not part of the document.
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const document = TextDocument.create(`file://${file}`, "json", 1, text);
  const diagnostics = await service.doValidation(document, service.parseJSONDocument(document), {
    comments: "error", trailingCommas: "error", schemaValidation: "error",
  });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  editorErrors += errors.length;
  const ours = byPath.get(shown) ?? [];
  for (const e of errors) {
    if (!ours.some((f) => f.start.line <= e.range.start.line + 1 && e.range.start.line + 1 <= f.end.line)) {
      editorOnly.push({ file: shown, line: e.range.start.line + 1, message: e.message });
    }
  }
  for (const f of ours) {
    if (!errors.some((e) => f.start.line <= e.range.start.line + 1 && e.range.start.line + 1 <= f.end.line)) {
      linterOnly.push({ file: shown, line: f.start.line, code: f.code, message: f.message });
    }
  }
}
console.log(JSON.stringify({ files: files.length, editorErrors, linterFindings: findings.length, editorOnly, linterOnly }, null, 2));
process.exit(editorOnly.length ? 1 : 0);
