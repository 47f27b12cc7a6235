#!/usr/bin/env node
// Launcher of the `xsuaa-lint` npm package. The native binary comes in one optional dependency
// per platform (`@xsuaa-lint/cli-<os>-<cpu>[-musl]`): npm installs only the one whose `os`, `cpu`
// and `libc` match this machine, from the registry or a mirror of it, with no download script.
// This file finds that binary and runs it with the same arguments, standard streams, exit status
// and signals. XSUAA_LINT_BINARY names another binary to run instead (a `cargo install` build,
// a copy from the GitHub release).
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

// Rust target -> npm package. `os` and `cpu` use Node's `process.platform` and `process.arch`
// names; `libc` is npm's (`glibc` or `musl`). npm/build.mjs reads this table too, so the
// packages it builds and the names looked up here cannot drift apart.
const PLATFORMS = {
  "x86_64-unknown-linux-gnu": { os: "linux", cpu: "x64", libc: "glibc", pkg: "@xsuaa-lint/cli-linux-x64" },
  "aarch64-unknown-linux-gnu": { os: "linux", cpu: "arm64", libc: "glibc", pkg: "@xsuaa-lint/cli-linux-arm64" },
  "x86_64-unknown-linux-musl": { os: "linux", cpu: "x64", libc: "musl", pkg: "@xsuaa-lint/cli-linux-x64-musl" },
  "aarch64-unknown-linux-musl": { os: "linux", cpu: "arm64", libc: "musl", pkg: "@xsuaa-lint/cli-linux-arm64-musl" },
  "x86_64-apple-darwin": { os: "darwin", cpu: "x64", libc: null, pkg: "@xsuaa-lint/cli-darwin-x64" },
  "aarch64-apple-darwin": { os: "darwin", cpu: "arm64", libc: null, pkg: "@xsuaa-lint/cli-darwin-arm64" },
  "x86_64-pc-windows-msvc": { os: "win32", cpu: "x64", libc: null, pkg: "@xsuaa-lint/cli-win32-x64" },
};

const ENV_BINARY = "XSUAA_LINT_BINARY";
// Exit status for "could not run the linter": the same as the linter's own errors, never 1
// (which means findings).
const EXIT_ERROR = 2;

/** The C library of this Linux machine, as npm names it; null elsewhere. */
function detectLibc() {
  if (process.platform !== "linux") return null;
  try {
    // Node's diagnostic report names the glibc it runs on; a musl build of Node has none.
    const header = process.report.getReport().header;
    return header.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    return fs.existsSync("/etc/alpine-release") ? "musl" : "glibc";
  }
}

/**
 * The packages that may carry a binary for this machine, best first. On a glibc Linux the musl
 * package follows: the musl builds are static and run there too, which rescues a lockfile
 * written on Alpine. A glibc build does not run on musl, so it is never tried there.
 */
function candidates(platform = process.platform, arch = process.arch, libc = detectLibc()) {
  const matching = Object.values(PLATFORMS).filter((p) => p.os === platform && p.cpu === arch);
  // Windows on arm64 runs x64 programs.
  if (matching.length === 0 && platform === "win32" && arch === "arm64") {
    return candidates(platform, "x64", libc);
  }
  if (libc === "musl") return matching.filter((p) => p.libc === "musl");
  return matching.sort((a, b) => Number(b.libc === libc) - Number(a.libc === libc));
}

function binaryName(os) {
  return os === "win32" ? "xsuaa-lint.exe" : "xsuaa-lint";
}

/** Where the binary is, or an error message that says what to do. */
function locate() {
  const override = process.env[ENV_BINARY];
  if (override) {
    if (fs.existsSync(override)) return { binary: override };
    return { error: `${ENV_BINARY} is set to ${override}, which does not exist.` };
  }
  const found = candidates();
  if (found.length === 0) {
    const supported = Object.values(PLATFORMS)
      .map((p) => `${p.os}-${p.cpu}${p.libc ? ` (${p.libc})` : ""}`)
      .join(", ");
    return {
      error:
        `xsuaa-lint has no prebuilt binary for ${process.platform}-${process.arch}; ` +
        `prebuilt: ${supported}.\n` +
        `Build it with \`cargo install --locked --git https://github.com/xsuaa-lint/xsuaa-lint\` and set ${ENV_BINARY} to its path.`,
    };
  }
  for (const p of found) {
    let dir;
    try {
      dir = path.dirname(require.resolve(`${p.pkg}/package.json`));
    } catch {
      continue;
    }
    const binary = path.join(dir, "bin", binaryName(p.os));
    if (fs.existsSync(binary)) return { binary };
  }
  const wanted = found[0];
  const libc = wanted.libc ? ` with ${wanted.libc}` : "";
  return {
    error:
      `The package ${wanted.pkg}, which carries the xsuaa-lint binary for ` +
      `${wanted.os}-${wanted.cpu}${libc}, is not installed.\n` +
      "npm installs it as an optional dependency of xsuaa-lint: it is left out by " +
      "`--omit=optional` (or `--no-optional`), or by a lockfile written on another platform.\n" +
      `Install it (\`npm install ${wanted.pkg}\` at the version of xsuaa-lint), reinstall without ` +
      `omitting optional dependencies, or set ${ENV_BINARY} to the path of an xsuaa-lint binary.`,
  };
}

function run() {
  const { binary, error } = locate();
  if (error) {
    process.stderr.write(`xsuaa-lint: ${error}\n`);
    process.exit(EXIT_ERROR);
  }
  const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
  // Signals sent to this process go on to the linter; it decides how to end.
  const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].filter((s) => process.platform !== "win32" || s !== "SIGQUIT");
  const handlers = forwarded.map((signal) => {
    const handler = () => {
      try {
        child.kill(signal);
      } catch {
        // The child has already gone.
      }
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  child.on("error", (err) => {
    process.stderr.write(`xsuaa-lint: could not run ${binary}: ${err.message}\n`);
    process.exit(EXIT_ERROR);
  });
  child.on("exit", (code, signal) => {
    for (const [s, h] of handlers) process.removeListener(s, h);
    if (signal) {
      // End the same way, so that a shell sees the signal (status 128 + n).
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? EXIT_ERROR : code);
  });
}

module.exports = { PLATFORMS, ENV_BINARY, candidates, binaryName };

if (require.main === module) run();
