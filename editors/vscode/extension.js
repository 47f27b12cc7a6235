// The VS Code client of `xsuaa-lint server`: starts the binary over stdio for descriptors and
// deployment files, and restarts it when its path setting changes.
"use strict";
const path = require("path");
const { workspace, window } = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function binary() {
  const configured = workspace.getConfiguration("xsuaa-lint").get("path");
  if (!configured) return "xsuaa-lint";
  // A relative path is relative to the first workspace folder.
  const folder = workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.isAbsolute(configured) || !folder ? configured : path.join(folder, configured);
}

async function start() {
  const command = binary();
  client = new LanguageClient(
    "xsuaa-lint",
    "xsuaa-lint",
    { command, args: ["server"], transport: TransportKind.stdio },
    {
      documentSelector: [
        { scheme: "file", pattern: "**/xs-security*.json" },
        { scheme: "untitled", language: "json" },
        { scheme: "file", pattern: "**/{mta,mtad}.{yaml,yml}" },
        { scheme: "file", pattern: "**/*.mtaext" },
        { scheme: "file", pattern: "**/{xsuaa-lint,.xsuaa-lint}.toml" },
      ],
      // The configuration and the files deployment files bring in: a change relints.
      synchronize: {
        fileEvents: workspace.createFileSystemWatcher("**/{xsuaa-lint.toml,.xsuaa-lint.toml,xs-security*.json,mta.yaml,mtad.yaml,*.mtaext}"),
      },
    },
  );
  try {
    await client.start();
  } catch (e) {
    window.showErrorMessage(`xsuaa-lint: cannot start \`${command} server\` (${e.message}); set xsuaa-lint.path`);
  }
}

exports.activate = async function activate(context) {
  await start();
  context.subscriptions.push(
    workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("xsuaa-lint.path")) {
        await client?.stop();
        await start();
      }
    }),
  );
};

exports.deactivate = function deactivate() {
  return client?.stop();
};
