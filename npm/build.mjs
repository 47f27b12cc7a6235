#!/usr/bin/env node
// Builds the npm packages in a staging folder, with the version of Cargo.toml (the one source
// of the version; the committed npm/xsuaa-lint/package.json says 0.0.0-dev).
//
//   node npm/build.mjs version                          print the version
//   node npm/build.mjs package <target>                 print the npm package of a Rust target
//   node npm/build.mjs launcher <out>                   stage the launcher in <out>/xsuaa-lint
//   node npm/build.mjs platform <target> <binary> <out> stage the package for <target>, carrying
//                                                       <binary>, in <out>/<package name>
//
// Each staged folder is ready for `npm pack` or `npm publish`.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const launcherDir = path.join(here, "xsuaa-lint");
const { PLATFORMS, binaryName } = createRequire(import.meta.url)(path.join(launcherDir, "bin", "xsuaa-lint.js"));

function fail(message) {
  process.stderr.write(`npm/build.mjs: ${message}\n`);
  process.exit(2);
}

function cargoVersion() {
  const text = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  const section = text.split(/^\[/m).find((s) => s.startsWith("package]"));
  const match = section && section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!match) fail("no [package] version in Cargo.toml");
  return match[1];
}

function platformOf(target) {
  const p = PLATFORMS[target];
  if (!p) fail(`unknown target ${target}; known: ${Object.keys(PLATFORMS).join(", ")}`);
  return p;
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function fresh(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

function stageLauncher(out) {
  const version = cargoVersion();
  const manifest = JSON.parse(fs.readFileSync(path.join(launcherDir, "package.json"), "utf8"));
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(
    Object.values(PLATFORMS)
      .map((p) => [p.pkg, version])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const dir = path.join(out, "xsuaa-lint");
  fresh(path.join(dir, "bin"));
  writeJson(path.join(dir, "package.json"), manifest);
  fs.copyFileSync(path.join(launcherDir, "bin", "xsuaa-lint.js"), path.join(dir, "bin", "xsuaa-lint.js"));
  fs.chmodSync(path.join(dir, "bin", "xsuaa-lint.js"), 0o755);
  fs.copyFileSync(path.join(launcherDir, "README.md"), path.join(dir, "README.md"));
  return dir;
}

function stagePlatform(target, binary, out) {
  const p = platformOf(target);
  if (!fs.existsSync(binary)) fail(`no binary at ${binary}`);
  const version = cargoVersion();
  const launcher = JSON.parse(fs.readFileSync(path.join(launcherDir, "package.json"), "utf8"));
  const manifest = {
    name: p.pkg,
    version,
    description: `The ${p.os}-${p.cpu}${p.libc ? ` (${p.libc})` : ""} binary of xsuaa-lint (${target}); install xsuaa-lint, which picks it`,
    license: launcher.license,
    homepage: launcher.homepage,
    repository: launcher.repository,
    os: [p.os],
    cpu: [p.cpu],
    ...(p.libc ? { libc: [p.libc] } : {}),
    files: ["bin/"],
    // Yarn PnP: keep the binary on disk, not in a zip archive.
    preferUnplugged: true,
  };
  const dir = path.join(out, p.pkg.split("/")[1]);
  fresh(path.join(dir, "bin"));
  writeJson(path.join(dir, "package.json"), manifest);
  const dest = path.join(dir, "bin", binaryName(p.os));
  fs.copyFileSync(binary, dest);
  fs.chmodSync(dest, 0o755);
  fs.writeFileSync(
    path.join(dir, "README.md"),
    `# ${p.pkg}\n\nThe \`xsuaa-lint\` binary for ${p.os}-${p.cpu}${p.libc ? ` with ${p.libc}` : ""} (Rust target \`${target}\`).\n\n` +
      "Do not install this package directly: install [`xsuaa-lint`](https://www.npmjs.com/package/xsuaa-lint), " +
      "which depends on the package of every platform and runs the one npm installed for yours.\n",
  );
  return dir;
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case "version":
    process.stdout.write(`${cargoVersion()}\n`);
    break;
  case "package":
    process.stdout.write(`${platformOf(args[0]).pkg}\n`);
    break;
  case "launcher":
    if (args.length !== 1) fail("usage: launcher <out>");
    process.stdout.write(`${stageLauncher(path.resolve(args[0]))}\n`);
    break;
  case "platform":
    if (args.length !== 3) fail("usage: platform <target> <binary> <out>");
    process.stdout.write(`${stagePlatform(args[0], path.resolve(args[1]), path.resolve(args[2]))}\n`);
    break;
  default:
    fail("usage: version | package <target> | launcher <out> | platform <target> <binary> <out>");
}
