// Drives `xsuaa-lint server` with vscode-languageserver-protocol's node client (the protocol
// library under VS Code's client). Usage: node client.mjs BINARY TYPICAL_DESCRIPTOR WORK_DIR.
// Each check throws with its name on failure; on success prints JSON: the checks passed and the
// didChange -> publishDiagnostics latencies.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as rpc from "vscode-languageserver-protocol/node.js";

const [binary, typicalPath, work] = process.argv.slice(2);
const server = spawn(binary, ["server", "--stdio"], { cwd: work, stdio: ["pipe", "pipe", "inherit"] });
const connection = rpc.createProtocolConnection(
  new rpc.StreamMessageReader(server.stdout),
  new rpc.StreamMessageWriter(server.stdin),
);
const passed = [];
function check(name, ok, detail) {
  if (!ok) throw new Error(`${name}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  passed.push(name);
}

// Publications by URI, and waiters for a given version.
const published = new Map();
const waiters = [];
connection.onNotification(rpc.PublishDiagnosticsNotification.type, (params) => {
  const list = published.get(params.uri) ?? [];
  list.push({ ...params, at: performance.now() });
  published.set(params.uri, list);
  for (const w of [...waiters]) {
    if (w.uri === params.uri && params.version === w.version) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(params);
    }
  }
});
function diagnosticsFor(uri, version) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} version ${version}`)), 10000);
    waiters.push({ uri, version, resolve: (p) => { clearTimeout(timer); resolve(p); } });
  });
}
connection.listen();

await connection.sendRequest(rpc.InitializeRequest.type, {
  processId: process.pid,
  rootUri: pathToFileURL(work).href,
  capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
});
connection.sendNotification(rpc.InitializedNotification.type, {});

const typical = readFileSync(typicalPath, "utf8");
const uri = pathToFileURL(join(work, "xs-security.json")).href;
// The file on disk differs from the buffer: the buffer must win.
writeFileSync(join(work, "xs-security.json"), '{"xsappname": "on-disk"}\n');
let version = 1;
const opened = diagnosticsFor(uri, version);
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri, languageId: "json", version, text: typical },
});
const first = await opened;
check("didOpen: the buffer, not the disk, is linted (XS102, not XS101)",
  first.diagnostics.some((d) => d.code === "XS102") && !first.diagnostics.some((d) => d.code === "XS101"), first);

async function change(docUri, text) {
  version += 1;
  const waiting = diagnosticsFor(docUri, version);
  const sent = performance.now();
  connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri: docUri, version },
    contentChanges: [{ text }],
  });
  const params = await waiting;
  return { params, ms: performance.now() - sent };
}

// An unsaved edit to the dual state: XS103 replaces XS102.
const dual = typical.replace('["instance-secret"]', '["binding-secret", "instance-secret"]');
const edited = await change(uri, dual);
check("didChange: an unsaved edit is judged (XS103 replaces XS102)",
  edited.params.diagnostics.some((d) => d.code === "XS103") && !edited.params.diagnostics.some((d) => d.code === "XS102"),
  edited.params);

// Hover on `credential-types`: the migration state and the next step.
const lines = dual.split("\n");
const line = lines.findIndex((l) => l.includes('"credential-types"'));
const hover = await connection.sendRequest(rpc.HoverRequest.type, {
  textDocument: { uri }, position: { line, character: lines[line].indexOf("credential-types") + 3 },
});
check("hover on credential-types: state dual and the next step",
  hover?.contents?.value?.includes("Migration state: dual") && hover.contents.value.includes("rebind"), hover);
const onFinding = await connection.sendRequest(rpc.HoverRequest.type, {
  textDocument: { uri }, position: edited.params.diagnostics.find((d) => d.code === "XS103").range.start,
});
check("hover on a finding: the rule's documentation", onFinding?.contents?.value?.includes("XS103 unfinished-migration"), onFinding);

// Code actions on the dual state: the removal is unsafe, titled so, never preferred.
const actions = await connection.sendRequest(rpc.CodeActionRequest.type, {
  textDocument: { uri },
  range: { start: { line, character: 0 }, end: { line, character: lines[line].length } },
  context: { diagnostics: [] },
});
const quick = actions.filter((a) => a.kind === "quickfix");
check("unsafe fixes are titled (unsafe) and never preferred",
  quick.length > 0 && quick.every((a) => a.title.includes("(unsafe)") && !a.isPreferred), actions);

// A malformed buffer: a diagnostic, and the server still answers.
const broken = await change(uri, '{"xsappname": "a", "oauth2-configuration": {');
check("malformed buffer: XS001, no crash", broken.params.diagnostics.some((d) => d.code === "XS001"), broken.params);
const stillThere = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 3 } });
check("the server answers after a malformed buffer", stillThere === null || typeof stillThere === "object", stillThere);

// Hostile buffers: 100 000 levels of nesting, control characters and lone surrogates, a huge
// line; each gives diagnostics and the server lives on.
for (const text of ["[".repeat(100000) + "]".repeat(100000), '{"\u0000\ud800": [\ud800, "\u{1F600}"', "{" + " ".repeat(2_000_000)]) {
  const hostile = await change(uri, text);
  check(`hostile buffer of ${text.length} chars: a diagnostic, no crash`, hostile.params.diagnostics.length > 0, hostile.params);
}

// A request for a document that is not open answers an error.
let unknownError = null;
try {
  await connection.sendRequest(rpc.CodeActionRequest.type, {
    textDocument: { uri: pathToFileURL(join(work, "nowhere", "xs-security.json")).href },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [] },
  });
} catch (e) {
  unknownError = e;
}
check("unknown document: an InvalidParams error", unknownError?.code === -32602, String(unknownError));

// A burst of changes: the last version is published, nothing older after it.
const burstStart = version;
for (let i = 0; i < 5; i++) {
  version += 1;
  connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version }, contentChanges: [{ text: i % 2 ? dual : typical }],
  });
}
await diagnosticsFor(uri, version);
await new Promise((r) => setTimeout(r, 100));
const burst = published.get(uri).filter((p) => p.version > burstStart);
check("a burst of changes: stale results dropped, the last version last",
  burst.at(-1).version === version && burst.length < 5, burst.map((p) => p.version));

// Fix all safe findings: the core's fix loop, as one edit.
await change(uri, typical);
const fixAll = await connection.sendRequest(rpc.CodeActionRequest.type, {
  textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  context: { diagnostics: [], only: ["source.fixAll.xsuaa-lint"] },
});
const newText = fixAll?.[0]?.edit?.changes?.[uri]?.[0]?.newText ?? "";
check("source.fixAll.xsuaa-lint: one action, moving to the dual state",
  fixAll.length === 1 && newText.includes('"credential-types": ["binding-secret", "instance-secret"]'), fixAll);

// A deployment file and the descriptor it names: the open, unsaved descriptor wins over the
// disk for the mta.yaml, and the descriptor is judged through the mta.yaml (as `check .`
// reports it), its findings pointing at the resource.
function publication(docUri, after, predicate) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10000;
    const poll = () => {
      const found = (published.get(docUri) ?? []).slice(after).find(predicate);
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`no matching publication for ${docUri}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}
const shop = join(work, "shop");
mkdirSync(shop);
writeFileSync(join(shop, "mta.yaml"), `ID: shop
modules:
  - name: shop-worker
    type: nodejs
    requires:
      - name: shop-auth
        parameters:
          config:
            credential-type: x509
resources:
  - name: shop-auth
    type: org.cloudfoundry.managed-service
    parameters:
      service: xsuaa
      service-plan: application
      path: xs-security.json
`);
writeFileSync(join(shop, "xs-security.json"), '{"xsappname": "shop", "oauth2-configuration": {"credential-types": ["x509", "binding-secret"]}}\n');
const mtaUri = pathToFileURL(join(shop, "mta.yaml")).href;
const shopUri = pathToFileURL(join(shop, "xs-security.json")).href;
version += 1;
const mtaVersion = version;
const mtaOpened = diagnosticsFor(mtaUri, mtaVersion);
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri: mtaUri, languageId: "yaml", version: mtaVersion, text: readFileSync(join(shop, "mta.yaml"), "utf8") },
});
const mtaFirst = await mtaOpened;
check("mta.yaml with the descriptor on disk: x509 is allowed, no XS111", !mtaFirst.diagnostics.some((d) => d.code === "XS111"), mtaFirst);
const seenSoFar = published.get(mtaUri).length;
version += 1;
const shopOpened = diagnosticsFor(shopUri, version);
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri: shopUri, languageId: "json", version,
    text: '{"xsappname": "shop", "oauth2-configuration": {"credential-types": ["binding-secret", "instance-secret"]}}\n' },
});
const mtaAgain = await publication(mtaUri, seenSoFar, (p) => p.diagnostics.some((d) => d.code === "XS111"));
check("mta.yaml relinted with the unsaved descriptor buffer: XS111 (x509 no longer allowed)", mtaAgain.version === mtaVersion, mtaAgain);
const shopFirst = await shopOpened;
const shopXs103 = shopFirst.diagnostics.find((d) => d.code === "XS103");
check("descriptor judged through the mta.yaml: XS103 with related information at the resource",
  shopXs103?.relatedInformation?.[0]?.location?.uri === mtaUri
    && shopXs103.relatedInformation[0].location.range.start.line === 10
    && shopXs103.relatedInformation[0].message.includes("shop-auth"), shopFirst);

// An edit to the mta.yaml relints the descriptor judged through it: a plan of `apiaccess`
// makes the dual state XS105 on the descriptor.
const shopBefore = published.get(shopUri).length;
version += 1;
connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
  textDocument: { uri: mtaUri, version },
  contentChanges: [{ text: readFileSync(join(shop, "mta.yaml"), "utf8").replace("service-plan: application", "service-plan: apiaccess") }],
});
const shopAgain = await publication(shopUri, shopBefore, (p) => p.diagnostics.some((d) => d.code === "XS105"));
check("an unsaved mta.yaml edit relints the descriptor judged through it (XS105 for apiaccess)", Boolean(shopAgain), shopAgain);

// Configuration: the nearest xsuaa-lint.toml applies as on the command line; a broken one is
// said at the top of the file; an edit to it applies once the client reports the change.
const configured = join(work, "configured");
mkdirSync(configured);
writeFileSync(join(configured, "xsuaa-lint.toml"), "[rules\nbroken");
const configuredUri = pathToFileURL(join(configured, "xs-security.json")).href;
version += 1;
const configuredOpened = diagnosticsFor(configuredUri, version);
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri: configuredUri, languageId: "json", version, text: typical },
});
const brokenConfig = await configuredOpened;
check("a broken xsuaa-lint.toml: one diagnostic naming it, nothing linted",
  brokenConfig.diagnostics.length === 1 && brokenConfig.diagnostics[0].message.includes("xsuaa-lint.toml"), brokenConfig);
writeFileSync(join(configured, "xsuaa-lint.toml"), '[rules.severity]\nXS102 = "warning"\n');
const before = published.get(configuredUri).length;
connection.sendNotification(rpc.DidChangeWatchedFilesNotification.type, {
  changes: [{ uri: pathToFileURL(join(configured, "xsuaa-lint.toml")).href, type: 2 }],
});
const reconfigured = await publication(configuredUri, before, () => true);
const xs102 = reconfigured.diagnostics.find((d) => d.code === "XS102");
check("the edited xsuaa-lint.toml applies: XS102 as a warning", xs102?.severity === 2, reconfigured);

// The configuration file as a document: its own error where it is, hover on a rule code.
const tomlUri = pathToFileURL(join(configured, "xsuaa-lint.toml")).href;
version += 1;
const tomlOpened = diagnosticsFor(tomlUri, version);
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri: tomlUri, languageId: "toml", version, text: '[rules.severity]\nXS103 = "loud"\n' },
});
const toml = await tomlOpened;
check("xsuaa-lint.toml open: its error on its line", toml.diagnostics.length === 1 && toml.diagnostics[0].range.start.line === 1, toml);
const tomlHover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri: tomlUri }, position: { line: 1, character: 2 } });
check("hover on a rule code in xsuaa-lint.toml: its documentation", tomlHover?.contents?.value?.includes("XS103 unfinished-migration"), tomlHover);

// Latency, didChange -> publishDiagnostics: a typical descriptor and one with 500 scopes.
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
async function measure(docUri, texts, rounds) {
  const times = [];
  for (let i = 0; i < rounds; i++) times.push((await change(docUri, texts[i % 2])).ms);
  return { median: median(times), max: Math.max(...times) };
}
const latency = { typical: await measure(uri, [dual, typical], 21) };
const scopes = Array.from({ length: 500 }, (_, i) => ({ name: `$XSAPPNAME.scope${i}`, description: `Scope ${i}` }));
const big = (types) => JSON.stringify({
  xsappname: "big", "oauth2-configuration": { "credential-types": types }, scopes,
  "role-templates": [{ name: "All", "scope-references": scopes.map((s) => s.name) }],
}, null, 2);
const bigUri = pathToFileURL(join(work, "big", "xs-security.json")).href;
const bigOpened = diagnosticsFor(bigUri, version + 1);
version += 1;
connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
  textDocument: { uri: bigUri, languageId: "json", version, text: big(["instance-secret"]) },
});
await bigOpened;
latency.scopes500 = await measure(bigUri, [big(["binding-secret", "instance-secret"]), big(["instance-secret"])], 21);
latency.scopes500.bytes = big(["instance-secret"]).length;

await connection.sendRequest(rpc.ShutdownRequest.type);
connection.sendNotification(rpc.ExitNotification.type);
const code = await new Promise((r) => server.on("exit", r));
check("shutdown and exit: status 0", code === 0, String(code));
console.log(JSON.stringify({ passed, latency }));
process.exit(0);
