//! An in-process fuzzer for parse -> lint -> fix over JSON descriptors, YAML deployment files
//! (MTA, extensions, Kubernetes, Cloud Foundry manifests and services manifests), Terraform and
//! shell scripts with `cf create-service`. `cargo fuzz` needs a nightly toolchain; this
//! runs on stable, in `tests/fuzz.rs` (a few thousand iterations, and every input under
//! `fixtures/fuzz-regressions/`) and in `examples/fuzz.rs` (millions, in release mode).
//!
//! Inputs: half are files of `fixtures/` and `examples/` (every format, picked evenly),
//! mutated: bit flips, interesting bytes and tokens (`{`, `\u`, `&a`, `*a`, `<<:`, `${`,
//! `instance-secret`, CRLF, a BOM, ...), deletions, duplications, splices between seeds,
//! repetitions for depth, line moves. The other half are descriptor trees from the JSON seeds
//! (repeated keys kept), mutated as trees (values replaced or grafted from another seed, keys
//! repeated or misspelled, case flipped, lists wrapped, `credential-types` set) and written as a
//! descriptor in some style (indentation, CRLF or CR, BOM), an MTA (`config`, bindings, service
//! keys), an extension, a Kubernetes manifest, Terraform (`jsonencode` or a JSON string), a
//! services manifest, a `cf create-service -c` line or a `manifest.yml` binding, then mutated as
//! bytes a little. Input `i` of seed `s` is a pure function of `(s, i)` and the
//! corpus, so a failure is reproduced, on the same commit, with `--seed s --start i
//! --iterations 1` (or written out with `--extract`).
//!
//! Each input goes through the library's pure entry points, without the file system:
//! `load::from_bytes_as`, `lint::lint` and `lint_with` (with a plan, with a base revision),
//! `lint::fix::fix_source` (safe and unsafe), `report::diff::unified` and `report::full::render`,
//! `yaml::parse_documents`, `hcl::parse`, the XS120 credential checks, and for deployment files
//! `lint::set::judge_set` (the model, every instance's evaluation and the fix loop) over
//! in-memory files (`deployment::Files`: the descriptors and extensions an MTA names). Checked
//! besides "no panic, no hang": every finding lies in its file on character boundaries with the
//! line and column of its offset; a fixed descriptor parses, fixing it again changes nothing,
//! safe fixes keep instance secrets allowed (but under `apiaccess`) and repeat no list entry;
//! the `--diff` patch of a fix, applied, gives the fixed text; a fixed deployment set parses.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use xsuaa_lint::diagnostic::Diagnostic;
use xsuaa_lint::io::load;
use xsuaa_lint::lint::fix::{self, FixOutcome};
use xsuaa_lint::lint::set::{judge_set, Declaration, SetOptions};
use xsuaa_lint::lint::{self, LintOptions};
use xsuaa_lint::model::deployment::{FileFormat, Files, Unreadable};
use xsuaa_lint::rules::xs120_committed_credentials as xs120;
use xsuaa_lint::text::source::SourceFile;

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, enough for mutation choices and reproducible from (seed, index).

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, index: u64) -> Rng {
        let mut rng = Rng(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds and inputs.

/// How an input is read: which parsers and models it goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `xs-security.json` (also credentials JSON).
    Descriptor,
    /// `mta.yaml`.
    Mta,
    /// `*.mtaext`: parsed as YAML and read as an extension of the workspace's MTA.
    Extension,
    /// A Kubernetes manifest.
    Kubernetes,
    /// A Terraform file.
    Terraform,
    /// A Cloud Foundry `manifest.yml` (`cf push`).
    CfManifest,
    /// A `services-manifest.yml` (Create-Service-Push).
    ServicesManifest,
    /// A shell script or Makefile with `cf create-service` and friends.
    Shell,
    /// A CAP Helm chart's `values.yaml`.
    Helm,
    /// A CI file (`.gitlab-ci.yml`) whose scripts run `cf` and `btp`.
    Ci,
    /// Project Piper's `.pipeline/config.yml`.
    Piper,
    /// A `Jenkinsfile` with `sh` steps.
    Jenkinsfile,
    /// `package.json` scripts.
    PackageJson,
    /// A GitHub Actions workflow (`run:` blocks, `with: command`).
    Workflow,
    /// A `Makefile` (recipes; `$(...)` is make's).
    Makefile,
    /// A Secret or ConfigMap that a workspace `ServiceInstance` names in `parametersFrom`.
    ParametersSource,
    /// Another `.tf` of the module (locals, data sources) read with a workspace `main.tf`.
    TerraformModule,
    /// A script beside the workspace's MTA that binds its instances (the runbook's bindings).
    ScriptBindings,
}

impl Format {
    pub const ALL: [Format; 18] = [
        Format::Descriptor,
        Format::Mta,
        Format::Extension,
        Format::Kubernetes,
        Format::Terraform,
        Format::CfManifest,
        Format::ServicesManifest,
        Format::Shell,
        Format::Helm,
        Format::Ci,
        Format::Piper,
        Format::Jenkinsfile,
        Format::PackageJson,
        Format::Workflow,
        Format::Makefile,
        Format::ParametersSource,
        Format::TerraformModule,
        Format::ScriptBindings,
    ];

    /// The format whose seed files an input of this format starts from.
    pub fn seed_format(self) -> Format {
        match self {
            Format::ParametersSource => Format::Kubernetes,
            Format::TerraformModule => Format::Terraform,
            Format::ScriptBindings => Format::Shell,
            other => other,
        }
    }

    /// By file name; `None` for files that are no input (expected outputs, notes).
    pub fn of_name(name: &str) -> Option<Format> {
        let name = name.strip_suffix(".fuzz").unwrap_or(name);
        if name.ends_with("params-source.yaml") {
            Some(Format::ParametersSource)
        } else if name.ends_with("module.tf") {
            Some(Format::TerraformModule)
        } else if name.ends_with("bindings.sh") {
            Some(Format::ScriptBindings)
        } else if name.ends_with("package.json") {
            Some(Format::PackageJson)
        } else if name.ends_with("Jenkinsfile") {
            Some(Format::Jenkinsfile)
        } else if name.contains(".pipeline/") || name.ends_with("pipeline-config.yml") {
            Some(Format::Piper)
        } else if name.contains(".github/workflows/") || name.ends_with("workflow.yml") {
            Some(Format::Workflow)
        } else if name.ends_with(".mk") || name.ends_with("Makefile") {
            Some(Format::Makefile)
        } else if name.ends_with(".json") {
            Some(Format::Descriptor)
        } else if name.ends_with("mta.yaml") || name.ends_with("mta.yml") || name.ends_with("mtad.yaml") {
            Some(Format::Mta)
        } else if name.ends_with(".mtaext") {
            Some(Format::Extension)
        } else if name.ends_with("services-manifest.yml") || name.ends_with("services-manifest.yaml") {
            Some(Format::ServicesManifest)
        } else if name.ends_with("manifest.yml") || name.ends_with("/manifest.yaml") {
            Some(Format::CfManifest)
        } else if name.ends_with(".sh") {
            Some(Format::Shell)
        } else if name.ends_with("values.yaml") || name.contains("/values-") {
            Some(Format::Helm)
        } else if name.ends_with(".gitlab-ci.yml")
            || name.contains(".github/workflows/")
            || name.ends_with("Jenkinsfile")
            || name.ends_with("package.json")
        {
            Some(Format::Ci)
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(Format::Kubernetes)
        } else if name.ends_with(".tf") {
            Some(Format::Terraform)
        } else {
            None
        }
    }

    /// The extension a saved input gets, so that `of_name` reads it back the same way.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Descriptor => "json",
            Format::Mta => "mta.yaml",
            Format::Extension => "mtaext",
            Format::Kubernetes => "yaml",
            Format::Terraform => "tf",
            Format::CfManifest => "manifest.yml",
            Format::ServicesManifest => "services-manifest.yml",
            Format::Shell => "sh",
            Format::Helm => "values.yaml",
            Format::Ci => ".gitlab-ci.yml",
            Format::Piper => "pipeline-config.yml",
            Format::Jenkinsfile => "Jenkinsfile",
            Format::PackageJson => "package.json",
            Format::Workflow => "workflow.yml",
            Format::Makefile => "mk",
            Format::ParametersSource => "params-source.yaml",
            Format::TerraformModule => "module.tf",
            Format::ScriptBindings => "bindings.sh",
        }
    }

    /// The file name an input of this format is judged as.
    fn file_name(self) -> &'static str {
        match self {
            Format::Descriptor => "xs-security.json",
            Format::Mta => "mta.yaml",
            Format::Extension => "ext.mtaext",
            Format::Kubernetes => "k8s.yaml",
            Format::Terraform => "main.tf",
            Format::CfManifest => "manifest.yml",
            Format::ServicesManifest => "services-manifest.yml",
            Format::Shell => "deploy.sh",
            Format::Helm => "values.yaml",
            Format::Ci => ".gitlab-ci.yml",
            Format::Piper => ".pipeline/config.yml",
            Format::Jenkinsfile => "Jenkinsfile",
            Format::PackageJson => "package.json",
            Format::Workflow => ".github/workflows/deploy.yml",
            Format::Makefile => "Makefile",
            Format::ParametersSource => "params.yaml",
            Format::TerraformModule => "variables.tf",
            Format::ScriptBindings => "bind.sh",
        }
    }
}

pub struct Seed {
    pub name: String,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// Every input file under `roots`, sorted by path (so that the corpus, and with it every
/// generated input, is the same on every machine).
pub fn load_corpus(roots: &[PathBuf]) -> Vec<Seed> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = roots.to_vec();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if let Some(format) = path.to_str().and_then(Format::of_name) {
            if let Ok(bytes) = std::fs::read(&path) {
                if bytes.len() <= 256 * 1024 {
                    files.push(Seed { name: path.to_string_lossy().into_owned(), format, bytes });
                }
            }
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// The repository's `fixtures/` and `examples/`.
pub fn default_corpus() -> Vec<Seed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    load_corpus(&[root.join("fixtures"), root.join("examples")])
}

pub struct Input {
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Which seeds and mutations made it, for the failure report.
    pub recipe: String,
}

/// Tokens worth inserting: structure, escapes, YAML anchors and merge keys, placeholders,
/// the words the rules look for, line ends, a BOM.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u",
    "\\ud800",
    "\\udc00",
    "\\ud83d\\ude00",
    "\\u0000",
    "\\\"",
    "&a ",
    "*a",
    "&a [*a, *a, *a, *a]",
    "<<: *a\n",
    "<<:",
    "- ",
    "---\n",
    "...\n",
    "? ",
    "!!str ",
    "!!binary ",
    "|\n",
    ">-\n",
    "%YAML 1.2\n",
    "#",
    "'",
    "${",
    "${org}",
    "~{app/url}",
    "{{ .Values.x }}",
    "instance-secret",
    "binding-secret",
    "x509",
    "X509_GENERATED",
    "credential-types",
    "credential-type",
    "\"credential-types\": [\"instance-secret\"]",
    "\"oauth2-configuration\": {}",
    "oauth2-configuration",
    "xsappname",
    "$XSAPPNAME.",
    "$XSAPPNAME.read",
    "$XSAPPNAME.READ",
    "$XSAPPNAME(application,other).x",
    "scope-references",
    "role-templates",
    "role-collections",
    "attribute-references",
    "\"attribute-references\": [{\"name\": \"A\"}]",
    "default-values",
    "valueRequired",
    "scopes",
    "attributes",
    "tenant-mode",
    "apiaccess",
    "space",
    "broker",
    "path: ./xs-security.json\n",
    "path: ..\n",
    "service: xsuaa\n",
    "service-plan: apiaccess\n",
    "skip-service-updates:\n  parameters: true\n",
    "extends: bookshop\n",
    "ID: bookshop\n",
    "config:\n",
    "type: org.cloudfoundry.managed-service\n",
    "type: com.sap.xs.uaa-space\n",
    "apiVersion: services.cloud.sap.com/v1\n",
    "kind: ServiceInstance\n",
    "kind: ServiceBinding\n",
    "kind: Secret\n",
    "serviceOfferingName: xsuaa\n",
    "clientsecret",
    "jsonencode(",
    "jsonencode({})",
    "parameters = ",
    "parameters = \"{\\\"a\\\": 1}\"",
    "resource \"btp_subaccount_service_instance\" \"x\" {\n",
    "<<EOT\n",
    "EOT\n",
    "var.x",
    "\"${var.x}\"",
    "%{ if true }",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999",
    "1.5e-7",
    "99999999999999999999999",
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\u{feff}",
    "\u{a0}",
    "\u{2028}",
    "é",
    "😀",
    "\u{0}",
    "<<<<<<< HEAD\n",
    "=======\n",
    ">>>>>>> b\n",
    "//",
    "/*",
    "*/",
];

const INTERESTING_BYTES: &[u8] = &[
    0, 0x7f, 0x80, 0xbf, 0xc0, 0xe2, 0xef, 0xff, b'"', b'\\', b'\n', b'\r', b'\t', b' ', b':', b',', b'{', b'}', b'[',
    b']', b'-', b'#', b'&', b'*', b'!', b'|', b'>', b'\'', b'$', b'~', b'=', b'0', b'9', b'a', b'?', b'%', b'@', b'`',
];

fn random_range(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.below(len + 1);
    let n = 1 + rng.below(max.max(1));
    (start, (start + n).min(len))
}

/// One mutation of `data`, described in `recipe`.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Seed], recipe: &mut String) {
    let len = data.len();
    match rng.below(16) {
        0 if len > 0 => {
            let at = rng.below(len);
            data[at] ^= 1 << rng.below(8);
            let _ = write!(recipe, " flip@{at}");
        }
        1 if len > 0 => {
            let at = rng.below(len);
            data[at] = *rng.pick(INTERESTING_BYTES);
            let _ = write!(recipe, " byte@{at}");
        }
        2..=4 => {
            let at = rng.below(len + 1);
            let token = rng.pick(TOKENS);
            data.splice(at..at, token.bytes());
            let _ = write!(recipe, " insert@{at}:{token:?}");
        }
        5 if len > 0 => {
            let max = if rng.chance(4) { len / 2 } else { 16 };
            let (start, end) = random_range(rng, len, max);
            data.drain(start..end);
            let _ = write!(recipe, " delete@{start}..{end}");
        }
        6 if len > 0 => {
            let (start, end) = random_range(rng, len, 64);
            let chunk = data[start..end].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, chunk);
            let _ = write!(recipe, " duplicate@{start}..{end}->{at}");
        }
        7 | 8 => {
            let other = &corpus[rng.below(corpus.len())];
            let (start, end) = random_range(rng, other.bytes.len(), 256);
            let at = rng.below(len + 1);
            let cut = if rng.chance(2) { (at + rng.below(64)).min(len) } else { at };
            data.splice(at..cut, other.bytes[start..end].iter().copied());
            let _ = write!(recipe, " splice@{at}..{cut}<-{}[{start}..{end}]", other.name);
        }
        9 if len > 0 => {
            let (start, end) = random_range(rng, len, 16);
            let token = rng.pick(TOKENS);
            data.splice(start..end, token.bytes());
            let _ = write!(recipe, " replace@{start}..{end}:{token:?}");
        }
        10 => {
            let (from, to): (&[u8], &[u8]) = *rng.pick(&[
                (&b"\n"[..], &b"\r\n"[..]),
                (b"\n", b"\r"),
                (b"\r\n", b"\n"),
                (b"  ", b"\t"),
                (b"\t", b"    "),
                (b": ", b":"),
                (b", ", b","),
            ]);
            let text = std::mem::take(data);
            *data = replace_bytes(&text, from, to);
            let _ = write!(recipe, " line-ends:{:?}->{:?}", String::from_utf8_lossy(from), String::from_utf8_lossy(to));
        }
        11 => {
            if data.starts_with("\u{feff}".as_bytes()) {
                data.drain(..3);
            } else {
                data.splice(0..0, "\u{feff}".bytes());
            }
            recipe.push_str(" bom");
        }
        12 if len > 0 => {
            let at = rng.below(len);
            data.truncate(at);
            let _ = write!(recipe, " truncate@{at}");
        }
        13 => {
            // Depth and repetition: nesting, anchors, long runs.
            let unit =
                *rng.pick(&["[", "{\"a\":", "- ", "  ", "a:\n", "&x [", "*x, ", "[*x,*x,*x,*x,*x,*x]", "\\u0041", "("]);
            let max = if rng.chance(8) { 2_000 } else { 64 };
            let times = 1 + rng.below(max);
            let at = rng.below(len + 1);
            data.splice(at..at, unit.repeat(times).into_bytes());
            let _ = write!(recipe, " repeat@{at}:{unit:?}x{times}");
        }
        14 if len > 0 => {
            // A line moved, duplicated or dropped.
            let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
            let i = rng.below(lines.len());
            let j = rng.below(lines.len());
            let mut out: Vec<&[u8]> = lines.clone();
            match rng.below(3) {
                0 => out.swap(i, j),
                1 => out.insert(j, lines[i]),
                _ => {
                    out.remove(i);
                }
            }
            *data = out.concat();
            let _ = write!(recipe, " line{i}/{j}");
        }
        _ => {
            // A number or word replaced by an extreme one.
            if let Some(at) =
                (0..8).map(|_| rng.below(len.max(1))).find(|&i| data.get(i).is_some_and(u8::is_ascii_alphanumeric))
            {
                let end = data[at..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(len, |n| at + n);
                let word = *rng.pick(&[
                    "1e999999",
                    "-0.0",
                    "18446744073709551616",
                    "0x10",
                    "NaN",
                    "INSTANCE-SECRET",
                    "Instance-Secret",
                    "",
                    "~",
                ]);
                data.splice(at..end, word.bytes());
                let _ = write!(recipe, " word@{at}:{word:?}");
            }
        }
    }
}

fn replace_bytes(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// A seed of `format` (formats are picked evenly: most seeds are JSON).
fn seed_of<'a>(rng: &mut Rng, corpus: &'a [Seed], format: Format) -> &'a Seed {
    let format = format.seed_format();
    let of_format: Vec<&Seed> = corpus.iter().filter(|s| s.format == format).collect();
    if of_format.is_empty() {
        &corpus[rng.below(corpus.len())]
    } else {
        of_format[rng.below(of_format.len())]
    }
}

/// Input `index` of fuzzing run `seed`: half the time a seed file with 1 to 8 byte-level
/// mutations; otherwise a descriptor tree, mutated as a tree, written in one of the formats
/// (JSON, MTA, extension, Kubernetes, Terraform, services manifest, a shell script's
/// `cf create-service -c`, or the binding of a `manifest.yml`), with at most 2 byte-level
/// mutations on top.
pub fn generate(corpus: &[Seed], seed: u64, index: u64) -> Input {
    let mut rng = Rng::new(seed, index);
    let format = *rng.pick(&Format::ALL);
    let (mut bytes, mut recipe, mutations) = if rng.chance(2) {
        let base = seed_of(&mut rng, corpus, format);
        let name = base.name.rsplit("fixtures/").next().unwrap_or(&base.name).to_string();
        (base.bytes.clone(), name, 1 + rng.below(8).min(rng.below(8)))
    } else {
        let (text, recipe) = structured(&mut rng, corpus, format);
        (text.into_bytes(), recipe, rng.below(3).saturating_sub(rng.below(2)))
    };
    for _ in 0..mutations {
        mutate(&mut rng, &mut bytes, corpus, &mut recipe);
    }
    // Now and then, another format's parsers on it.
    let format = if rng.chance(10) { *rng.pick(&Format::ALL) } else { format };
    Input { format, bytes, recipe }
}

// ---------------------------------------------------------------------------------------------
// Structured inputs: descriptor trees (repeated keys kept), mutated as trees, then written.

#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

fn tree_of(node: &xsuaa_lint::syntax::json::Node) -> J {
    use xsuaa_lint::syntax::json::Value;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => J::Num(n.clone()),
        Value::String(s) => J::Str(s.clone()),
        Value::Array(items) => J::Arr(items.iter().map(tree_of).collect()),
        Value::Object(members) => J::Obj(members.iter().map(|m| (m.key.clone(), tree_of(&m.value))).collect()),
    }
}

/// Names the rules and the schema care about: keys, values, references.
const WORDS: &[&str] = &[
    "xsappname",
    "tenant-mode",
    "dedicated",
    "shared",
    "scopes",
    "attributes",
    "role-templates",
    "role-collections",
    "name",
    "description",
    "scope-references",
    "attribute-references",
    "role-template-references",
    "default-values",
    "valueType",
    "valueRequired",
    "string",
    "int",
    "s",
    "oauth2-configuration",
    "credential-types",
    "credential-type",
    "token-validity",
    "refresh-token-validity",
    "redirect-uris",
    "allowedproviders",
    "instance-secret",
    "binding-secret",
    "x509",
    "X509_GENERATED",
    "INSTANCE-SECRET",
    "Instance-Secret",
    "binding_secret",
    "$XSAPPNAME.Read",
    "$XSAPPNAME.read",
    "$XSAPPNAME.READ",
    "$XSAPPNAME.Viewer",
    "$XSAPPNAME.viewer",
    "$XSAPPNAME(application,o).x",
    "$XSSERVICENAME(i).x",
    "uaa.user",
    "${org}",
    "~{app/url}",
    "Read",
    "read",
    "Viewer",
    "Country",
    "country",
    "authorities",
    "foreign-scope-references",
    "system-attributes",
    "rolecollections",
    "",
    " ",
    "\u{feff}",
    "é",
    "\u{fffd}",
    "a\nb",
    "\"",
    "\\",
];

fn random_scalar(rng: &mut Rng) -> J {
    match rng.below(8) {
        0 => J::Null,
        1 => J::Bool(rng.chance(2)),
        2 => J::Num(
            (*rng.pick(&["0", "-1", "60", "86400", "86401", "3600", "1e3", "0.5", "31536000", "99999999999"])).into(),
        ),
        _ => J::Str((*rng.pick(WORDS)).into()),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> J {
    if depth > 2 || rng.chance(2) {
        return random_scalar(rng);
    }
    let n = rng.below(4);
    if rng.chance(2) {
        J::Arr((0..n).map(|_| random_value(rng, depth + 1)).collect())
    } else {
        J::Obj((0..n).map(|_| ((*rng.pick(WORDS)).to_string(), random_value(rng, depth + 1))).collect())
    }
}

/// Every node, in pre-order, as a path of child indices.
fn paths(tree: &J, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    let children: Vec<&J> = match tree {
        J::Arr(items) => items.iter().collect(),
        J::Obj(members) => members.iter().map(|(_, v)| v).collect(),
        _ => return,
    };
    for (i, child) in children.into_iter().enumerate() {
        prefix.push(i);
        paths(child, prefix, out);
        prefix.pop();
    }
}

fn node_at<'a>(tree: &'a mut J, path: &[usize]) -> &'a mut J {
    match path.split_first() {
        None => tree,
        Some((&i, rest)) => match tree {
            J::Arr(items) => node_at(&mut items[i], rest),
            J::Obj(members) => node_at(&mut members[i].1, rest),
            _ => tree,
        },
    }
}

fn flip_case(s: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => {
            // The case of the last letter flipped: `$XSAPPNAME.Read` -> `$XSAPPNAME.ReaD`.
            let mut chars: Vec<char> = s.chars().collect();
            if let Some(c) = chars.iter_mut().rev().find(|c| c.is_alphabetic()) {
                *c = if c.is_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
            }
            chars.into_iter().collect()
        }
    }
}

/// One tree mutation.
fn mutate_tree(rng: &mut Rng, tree: &mut J, donor: &J, recipe: &mut String) {
    let mut all = Vec::new();
    paths(tree, &mut Vec::new(), &mut all);
    // The root itself rarely: replacing it throws the whole descriptor away.
    let path = if all.len() > 1 && !rng.chance(20) { all[1 + rng.below(all.len() - 1)].clone() } else { Vec::new() };
    let mut donors = Vec::new();
    paths(donor, &mut Vec::new(), &mut donors);
    let donor_path = donors[rng.below(donors.len())].clone();
    let mut donor = donor.clone();
    let graft = node_at(&mut donor, &donor_path).clone();
    let node = node_at(tree, &path);
    let what = match (rng.below(10), &mut *node) {
        (0, _) => {
            *node = random_value(rng, 0);
            "replace"
        }
        (1, _) => {
            *node = graft;
            "graft"
        }
        (2, J::Str(s)) => {
            *s = flip_case(s, rng);
            "case"
        }
        (3, J::Str(s)) => {
            *node = J::Arr(vec![J::Str(std::mem::take(s))]);
            "wrap"
        }
        (3, J::Arr(items)) if items.len() == 1 => {
            *node = items.remove(0);
            "unwrap"
        }
        (4 | 5, J::Arr(items)) if !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(3) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.insert(rng.below(items.len() + 1), copy);
                }
                _ => {
                    let j = rng.below(items.len());
                    items.swap(i, j);
                }
            }
            "array"
        }
        (4 | 5, J::Obj(members)) if !members.is_empty() => {
            let i = rng.below(members.len());
            match rng.below(4) {
                0 => {
                    members.remove(i);
                }
                1 => {
                    // A repeated key (XS003), the copy before or after.
                    let copy = members[i].clone();
                    members.insert(rng.below(members.len() + 1), copy);
                }
                2 => members[i].0 = flip_case(&members[i].0, rng),
                _ => members[i].0 = (*rng.pick(WORDS)).into(),
            }
            "object"
        }
        (6, J::Obj(members)) => {
            let key = (*rng.pick(WORDS)).to_string();
            members.insert(rng.below(members.len() + 1), (key, graft));
            "insert"
        }
        (6, J::Arr(items)) => {
            items.insert(rng.below(items.len() + 1), graft);
            "insert"
        }
        (7, _) => {
            let list: Vec<J> = (0..rng.below(4))
                .map(|_| {
                    J::Str(
                        (*rng.pick(&[
                            "instance-secret",
                            "binding-secret",
                            "x509",
                            "X509_GENERATED",
                            "instance_secret",
                        ]))
                        .into(),
                    )
                })
                .collect();
            *node = J::Obj(vec![("credential-types".into(), J::Arr(list))]);
            "credential-types"
        }
        _ => {
            *node = random_scalar(rng);
            "scalar"
        }
    };
    let _ = write!(recipe, " {what}@{path:?}");
}

/// Text style for writing a tree.
struct Style {
    indent: &'static str,
    newline: &'static str,
    compact: bool,
    colon: &'static str,
}

/// A tree as one line of JSON.
fn compact(tree: &J) -> String {
    let mut json = String::new();
    write_json(tree, &Style { indent: "", newline: "", compact: true, colon: ":" }, 0, &mut json);
    json
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn write_json(tree: &J, style: &Style, depth: usize, out: &mut String) {
    let (nl, pad, inner) = if style.compact {
        (String::new(), String::new(), String::new())
    } else {
        (style.newline.to_string(), style.indent.repeat(depth), style.indent.repeat(depth + 1))
    };
    match tree {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => out.push_str(&json_string(s)),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Obj(members) if members.is_empty() => out.push_str("{}"),
        J::Arr(items) => {
            // Arrays of scalars inline, as descriptors usually write them.
            let inline = items.iter().all(|i| !matches!(i, J::Arr(_) | J::Obj(_)));
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if inline && !style.compact {
                        out.push(' ');
                    }
                }
                if !inline {
                    out.push_str(&nl);
                    out.push_str(&inner);
                }
                write_json(item, style, depth + 1, out);
            }
            if !inline {
                out.push_str(&nl);
                out.push_str(&pad);
            }
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&nl);
                out.push_str(&inner);
                out.push_str(&json_string(key));
                out.push_str(style.colon);
                write_json(value, style, depth + 1, out);
            }
            out.push_str(&nl);
            out.push_str(&pad);
            out.push('}');
        }
    }
}

fn yaml_scalar(s: &str, rng: &mut Rng) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.$/".contains(c))
        && !matches!(s, "null" | "true" | "false" | "~")
        && s.parse::<f64>().is_err();
    if plain && !rng.chance(4) {
        s.to_string()
    } else if !s.contains(['\'', '\n', '\r']) && s.chars().all(|c| !c.is_control()) && rng.chance(3) {
        format!("'{s}'")
    } else {
        json_string(s)
    }
}

/// Block-style YAML at `indent` spaces, now and then a subtree in flow style (JSON).
fn write_yaml(tree: &J, rng: &mut Rng, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match tree {
        J::Obj(members) if !members.is_empty() && !rng.chance(8) => {
            for (key, value) in members {
                out.push_str(&pad);
                out.push_str(&yaml_scalar(key, rng));
                out.push(':');
                write_yaml_value(value, rng, indent, out);
            }
        }
        J::Arr(items) if !items.is_empty() && !rng.chance(8) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                write_yaml_value(item, rng, indent, out);
            }
        }
        other => {
            out.push_str(&pad);
            write_json(other, &Style { indent: "", newline: "", compact: true, colon: ": " }, 0, out);
            out.push('\n');
        }
    }
}

fn write_yaml_value(value: &J, rng: &mut Rng, indent: usize, out: &mut String) {
    match value {
        J::Obj(m) if !m.is_empty() => {
            out.push('\n');
            write_yaml(value, rng, indent + 2, out);
        }
        J::Arr(a) if !a.is_empty() => {
            out.push('\n');
            write_yaml(value, rng, indent + 2, out);
        }
        J::Str(s) => {
            out.push(' ');
            out.push_str(&yaml_scalar(s, rng));
            out.push('\n');
        }
        other => {
            out.push(' ');
            write_json(other, &Style { indent: "", newline: "", compact: true, colon: ": " }, 0, out);
            out.push('\n');
        }
    }
}

fn hcl_key(key: &str) -> String {
    let ident = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        key.to_string()
    } else {
        json_string(key)
    }
}

fn write_hcl(tree: &J, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth + 1);
    match tree {
        J::Obj(members) => {
            out.push_str("{\n");
            for (key, value) in members {
                out.push_str(&pad);
                out.push_str(&hcl_key(key));
                out.push_str(" = ");
                write_hcl(value, depth + 1, out);
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
            out.push('}');
        }
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_hcl(item, depth + 1, out);
            }
            out.push(']');
        }
        other => write_json(other, &Style { indent: "", newline: "", compact: true, colon: ":" }, 0, out),
    }
}

/// A descriptor tree from a JSON seed (or a small one), mutated, written as `format`.
fn structured(rng: &mut Rng, corpus: &[Seed], format: Format) -> (String, String) {
    let parse = |seed: &Seed| {
        let text = std::str::from_utf8(&seed.bytes).ok()?;
        xsuaa_lint::syntax::json::parse(text, if text.starts_with('\u{feff}') { 3 } else { 0 })
            .ok()
            .map(|n| tree_of(&n))
    };
    let base = seed_of(rng, corpus, Format::Descriptor);
    let mut tree = parse(base).unwrap_or_else(|| J::Obj(vec![("xsappname".into(), J::Str("a".into()))]));
    let donor = parse(seed_of(rng, corpus, Format::Descriptor)).unwrap_or(J::Null);
    let mut recipe =
        format!("structured {format:?} from {}", base.name.rsplit("fixtures/").next().unwrap_or(&base.name));
    for _ in 0..1 + rng.below(6) {
        mutate_tree(rng, &mut tree, &donor, &mut recipe);
    }
    let plan = *rng.pick(&["application", "apiaccess", "broker", "space", "system", "default", "lite"]);
    let binding = *rng.pick(&["instance-secret", "binding-secret", "x509", "X509_GENERATED", "${type}"]);
    let text = match format {
        Format::Descriptor => {
            let style = Style {
                indent: rng.pick_str(&["  ", "    ", "\t"]),
                newline: rng.pick_str(&["\n", "\n", "\r\n", "\r"]),
                compact: rng.chance(5),
                colon: rng.pick_str(&[": ", ":", " : "]),
            };
            let mut out = String::new();
            if rng.chance(8) {
                out.push('\u{feff}');
            }
            write_json(&tree, &style, 0, &mut out);
            if rng.chance(2) {
                out.push_str(style.newline);
            }
            out
        }
        Format::Mta | Format::Extension => {
            let mut out = if format == Format::Mta {
                String::from("_schema-version: \"3.1\"\nID: bookshop\nversion: 1.0.0\n")
            } else {
                String::from("_schema-version: \"3.1\"\nID: bookshop.ext\nextends: bookshop\n")
            };
            if format == Format::Mta && rng.chance(2) {
                out.push_str("modules:\n  - name: srv\n    type: nodejs\n    requires:\n      - name: bookshop-auth\n        parameters:\n          config:\n");
                let _ = writeln!(out, "            credential-type: {binding}");
            }
            out.push_str("resources:\n  - name: bookshop-auth\n");
            if format == Format::Mta {
                out.push_str("    type: org.cloudfoundry.managed-service\n");
            }
            out.push_str("    parameters:\n");
            if format == Format::Mta {
                let _ = writeln!(out, "      service: xsuaa\n      service-plan: {plan}");
                if rng.chance(2) {
                    out.push_str("      path: ./xs-security.json\n");
                }
                if rng.chance(6) {
                    out.push_str("      skip-service-updates:\n        parameters: true\n");
                }
            }
            out.push_str("      config:");
            write_yaml_value(&tree, rng, 6, &mut out);
            if rng.chance(4) {
                out.push_str("    service-keys:\n      - name: key\n        config:\n");
                let _ = writeln!(out, "          credential-type: {binding}");
            }
            out
        }
        Format::Kubernetes => {
            let mut out = String::from("apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: auth\nspec:\n  serviceOfferingName: xsuaa\n");
            let _ = writeln!(out, "  servicePlanName: {plan}");
            out.push_str("  parameters:");
            write_yaml_value(&tree, rng, 2, &mut out);
            if rng.chance(2) {
                out.push_str("---\napiVersion: services.cloud.sap.com/v1\nkind: ServiceBinding\nmetadata:\n  name: b\nspec:\n  serviceInstanceName: auth\n  parameters:\n");
                let _ = writeln!(out, "    credential-type: {binding}");
            }
            out
        }
        Format::ServicesManifest => {
            let mut out = String::from("---\ncreate-services:\n- name: bookshop-uaa\n  broker: xsuaa\n");
            let _ = writeln!(out, "  plan: {plan}");
            if rng.chance(3) {
                out.push_str("  parameters: \"xs-security.json\"\n");
            } else {
                out.push_str("  parameters:");
                write_yaml_value(&tree, rng, 2, &mut out);
            }
            out
        }
        Format::CfManifest => {
            let mut out =
                String::from("---\napplications:\n- name: srv\n  services:\n  - name: bookshop-uaa\n    parameters:\n");
            let _ = writeln!(out, "      credential-type: {binding}");
            out
        }
        Format::Shell => {
            let mut json = String::new();
            write_json(&tree, &Style { indent: "", newline: "", compact: true, colon: ":" }, 0, &mut json);
            let config = if rng.chance(3) { "xs-security.json".to_string() } else { format!("'{json}'") };
            format!("#!/bin/sh\nset -e\ncf create-service xsuaa {plan} bookshop-uaa -c {config}\ncf push\n")
        }
        Format::Helm => {
            let mut out =
                String::from("srv:\n  bindings:\n    auth:\n      serviceInstanceName: xsuaa\n      parameters:\n");
            let _ = writeln!(out, "        credential-type: {binding}");
            let _ = writeln!(out, "xsuaa:\n  serviceOfferingName: xsuaa\n  servicePlanName: {plan}");
            if rng.chance(3) {
                out.push_str("  config: xs-security.json\n");
            }
            out.push_str("  parameters:");
            write_yaml_value(&tree, rng, 2, &mut out);
            out
        }
        Format::Ci => {
            let mut json = String::new();
            write_json(&tree, &Style { indent: "", newline: "", compact: true, colon: ":" }, 0, &mut json);
            let json = json.replace('\'', "");
            let command = if rng.chance(3) {
                format!("btp create services/instance --offering-name xsuaa --plan-name {plan} --name bookshop-uaa --parameters '{json}'")
            } else {
                format!("cf create-service xsuaa {plan} bookshop-uaa -c '{json}'")
            };
            format!("deploy:\n  script:\n    - |\n      {command}\n      cf csk bookshop-uaa k -c '{{\"credential-type\": \"{binding}\"}}'\n")
        }
        Format::Terraform => {
            let mut out = String::from("resource \"btp_subaccount_service_instance\" \"xsuaa\" {\n  subaccount_id = var.subaccount_id\n  service_offering_name = \"xsuaa\"\n");
            let _ = writeln!(out, "  serviceplan_name = \"{plan}\"\n  name = \"auth\"");
            if rng.chance(2) {
                out.push_str("  parameters = jsonencode(");
                write_hcl(&tree, 1, &mut out);
                out.push_str(")\n");
            } else {
                let mut json = String::new();
                write_json(&tree, &Style { indent: "", newline: "", compact: true, colon: ": " }, 0, &mut json);
                let _ = writeln!(out, "  parameters = {}", json_string(&json).replace("${", "$${"));
            }
            out.push_str("}\n");
            if rng.chance(2) {
                out.push_str("resource \"btp_subaccount_service_binding\" \"b\" {\n  service_instance_id = btp_subaccount_service_instance.xsuaa.id\n  name = \"b\"\n");
                let _ = writeln!(out, "  parameters = jsonencode({{ credential-type = \"{binding}\" }})\n}}");
            }
            out
        }
        Format::Piper => {
            let config =
                if rng.chance(3) { "xs-security.json".to_string() } else { compact(&tree).replace('\'', "''") };
            format!(
                "steps:\n  cloudFoundryCreateService:\n    cfService: xsuaa\n    cfServicePlan: {plan}\n    \
                 cfServiceInstanceName: bookshop-uaa\n    cfCreateServiceConfig: '{config}'\n  \
                 cloudFoundryCreateServiceKey:\n    cfServiceInstance: bookshop-uaa\n    cfServiceKeyName: k\n    \
                 cfServiceKeyConfig: '{{\"credential-type\": \"{binding}\"}}'\n"
            )
        }
        Format::Jenkinsfile => {
            let json = compact(&tree).replace('\'', "");
            if rng.chance(2) {
                format!("node {{\n  stage('d') {{\n    sh '''\n      cf create-service xsuaa {plan} bookshop-uaa -c '{json}'\n    '''\n    sh 'cf csk bookshop-uaa k'\n  }}\n}}\n")
            } else {
                format!("node {{\n  sh \"cf create-service xsuaa {plan} bookshop-uaa -c xs-security.json\"\n  sh '''cf update-service bookshop-uaa -c '{json}' '''\n}}\n")
            }
        }
        Format::PackageJson => {
            let command =
                format!("cf create-service xsuaa {plan} bookshop-uaa -c '{}'", compact(&tree).replace('\'', ""));
            format!(
                "{{\"name\": \"a\", \"scripts\": {{\"deploy\": {}, \"build\": \"cds build\"}}}}\n",
                json_string(&command)
            )
        }
        Format::Workflow => {
            let json = compact(&tree).replace('\'', "");
            format!(
                "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          \
                 cf create-service xsuaa {plan} bookshop-uaa -c '{json}'\n\n          cf csk bookshop-uaa k -c '{{\"credential-type\": \"{binding}\"}}'\n      \
                 - uses: example/cf-cli-action@v1\n        with:\n          command: update-service bookshop-uaa -c xs-security.json\n"
            )
        }
        Format::Makefile => {
            let json = compact(&tree).replace('\'', "");
            format!("PLAN ?= {plan}\nNAME = $(subst ',,$(APP))\n\ndeploy:\n\t@cf create-service xsuaa $(PLAN) bookshop-uaa \\\n\t  -c '{json}'\n\t-cf bind-service srv bookshop-uaa\n")
        }
        Format::ParametersSource => {
            let json = compact(&tree);
            let mut out = String::from(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: xsuaa-params\nstringData:\n  parameters.json: ",
            );
            out.push_str(&json_string(&json));
            out.push_str("\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: xsuaa-config\ndata:\n  config.json: |\n    ");
            let _ = writeln!(out, "{{\"oauth2-configuration\": {{\"credential-types\": [\"{binding}\"]}}}}");
            out
        }
        Format::TerraformModule => {
            let mut out = String::from("locals {\n  config = jsonencode(");
            write_hcl(&tree, 1, &mut out);
            let _ = write!(out, ")\n  other = merge(local.config, {{}})\n}}\ndata \"btp_subaccount_service_plan\" \"xsuaa\" {{\n  name = \"{plan}\"\n  offering_name = \"xsuaa\"\n}}\n");
            out
        }
        Format::ScriptBindings => {
            format!("#!/bin/sh\ncf bind-service srv bookshop-auth -c '{{\"credential-type\": \"{binding}\"}}'\ncf create-service-key broker-auth k\ncat <<EOF\ncf bind-service x bookshop-auth\nEOF\n")
        }
    };

    (text, recipe)
}

// ---------------------------------------------------------------------------------------------
// One execution.

/// What the deployment model may read besides the deployment file, in memory: descriptors
/// an MTA names by `path:` and extensions, under a made-up absolute root.
pub struct Workspace {
    pub root: PathBuf,
    files: HashMap<PathBuf, String>,
    pub extensions: Vec<PathBuf>,
    /// The MTA (ID `bookshop`) that the extension inputs are read with.
    pub mta: String,
    /// Draw the full report of every input, not one in eight (slow; for replaying regressions).
    pub render_always: bool,
}

/// The workspace's MTA: one xsuaa resource with its descriptor at `path:`, extended by the
/// workspace's extensions (and the extension inputs).
const WORKSPACE_MTA: &str = "_schema-version: \"3.1\"\nID: bookshop\nversion: 1.0.0\nresources:\n  - name: bookshop-auth\n    \
    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      \
    path: ./xs-security.json\n      config:\n        xsappname: bookshop-${org}\n        oauth2-configuration:\n          \
    credential-types: [binding-secret, instance-secret]\n  - name: broker-auth\n    type: org.cloudfoundry.managed-service\n    \
    parameters:\n      service: xsuaa\n      service-plan: broker\n      path: security/xs-security.json\n";

/// A `ServiceInstance` whose parameters come from a Secret and a ConfigMap (the
/// `ParametersSource` inputs, or the workspace's `secrets.yaml`).
const WORKSPACE_PARAMETERS_FROM: &str = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: auth\n\
    spec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parametersFrom:\n    - secretKeyRef:\n        \
    name: xsuaa-params\n        key: parameters.json\n    - configMapKeyRef:\n        name: xsuaa-config\n        key: config.json\n";

/// A Terraform instance whose parameters are a local of another file of the module (the
/// `TerraformModule` inputs, or the workspace's `providers.tf`).
const WORKSPACE_TERRAFORM: &str =
    "resource \"btp_subaccount_service_instance\" \"xsuaa\" {\n  subaccount_id = var.subaccount_id\n  \
    serviceplan_id = data.btp_subaccount_service_plan.xsuaa.id\n  name = \"auth\"\n  parameters = local.config\n}\n";

/// Files an MTA input may name (`path: ./xs-security.json`, `security/xs-security.json`) and
/// the extensions of the workspace's MTA. Written here rather than read from `fixtures/`, so
/// that moving fixtures never breaks the harness.
const WORKSPACE_FILES: &[(&str, &str)] = &[
    (
        "xs-security.json",
        "{\n  \"xsappname\": \"bookshop\",\n  \"scopes\": [{ \"name\": \"$XSAPPNAME.Read\" }],\n  \"role-templates\": [\n    \
         { \"name\": \"Viewer\", \"scope-references\": [\"$XSAPPNAME.Read\"] }\n  ],\n  \"oauth2-configuration\": {\n    \
         \"credential-types\": [\"instance-secret\"]\n  }\n}\n",
    ),
    (
        "secrets.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: xsuaa-params\nstringData:\n  parameters.json: '{\"xsappname\": \"k\"}'\n",
    ),
    (
        "providers.tf",
        "locals {\n  config = jsonencode({ xsappname = \"t\", oauth2-configuration = { credential-types = [\"instance-secret\"] } })\n}\n",
    ),
    (
        "keys.sh",
        "#!/bin/sh\ncf create-service-key bookshop-auth key1\ncf bind-service srv broker-auth -c '{\"credential-type\": \"x509\"}'\n\
         helm upgrade app chart --set-file xsuaa.jsonParameters=xs-security.json\n",
    ),
    (
        "manifest.yml",
        "applications:\n- name: srv\n  services:\n  - name: bookshop-auth\n    parameters:\n      credential-type: x509\n",
    ),
    ("security/xs-security.json", "{\r\n\t\"xsappname\": \"broker\",\r\n\t\"tenant-mode\": \"shared\"\r\n}\r\n"),
    (
        "prod.mtaext",
        "_schema-version: \"3.1\"\nID: bookshop.prod\nextends: bookshop\nresources:\n  - name: bookshop-auth\n    \
         parameters:\n      config:\n        oauth2-configuration:\n          credential-types:\n            - binding-secret\n",
    ),
    (
        "other.mtaext",
        "_schema-version: \"3.1\"\nID: other.ext\nextends: other\nresources:\n  - name: bookshop-auth\n    parameters:\n      \
         config: {tenant-mode: shared}\n",
    ),
];

impl Workspace {
    pub fn new() -> Workspace {
        let root = PathBuf::from("/xsuaa-lint-fuzz");
        let files = WORKSPACE_FILES.iter().map(|(path, text)| (root.join(path), text.to_string())).collect();
        let extensions = vec![root.join("other.mtaext"), root.join("prod.mtaext")];
        Workspace { mta: WORKSPACE_MTA.to_string(), root, files, extensions, render_always: false }
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

/// The workspace's files, and one more (an extension under test).
pub struct Overlay<'a> {
    pub workspace: &'a Workspace,
    pub extra: Option<(PathBuf, &'a str)>,
}

impl Files for Overlay<'_> {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable> {
        if let Some((extra, text)) = &self.extra {
            if extra == path {
                return Ok(SourceFile::new(shown, text.to_string()));
            }
        }
        self.workspace.files.get(path).map(|t| SourceFile::new(shown, t.clone())).ok_or(Unreadable::Missing)
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .workspace
            .files
            .keys()
            .chain(self.extra.as_ref().map(|(p, _)| p))
            .filter(|p| p.parent() == Some(folder) && p.to_string_lossy().ends_with(suffix))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Every finding lies in `source` on character boundaries, with the line and column of its
/// offset; so do the edits of its fix.
fn check_diagnostics(what: &str, source: &SourceFile, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let text = &source.text;
    for d in diagnostics {
        let mut positions = vec![("start", d.start), ("end", d.end)];
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                positions.push(("edit start", e.start));
                positions.push(("edit end", e.end));
            }
        }
        for (name, p) in positions {
            if p.offset > text.len() || !text.is_char_boundary(p.offset) {
                return Err(format!(
                    "{what}: {} {name} offset {} is not a character boundary of the text ({} bytes): {}",
                    d.rule.code,
                    p.offset,
                    text.len(),
                    d.message
                ));
            }
            let expected = source.position(p.offset);
            if expected != p {
                return Err(format!(
                    "{what}: {} {name} is {p:?}, the text says {expected:?}: {}",
                    d.rule.code, d.message
                ));
            }
        }
        if d.start.offset > d.end.offset {
            return Err(format!("{what}: {} starts after it ends: {}", d.rule.code, d.message));
        }
        if let Some(fix) = &d.fix {
            let mut edits: Vec<_> = fix.edits.iter().map(|e| (e.start.offset, e.end.offset)).collect();
            edits.sort();
            if edits.iter().any(|(s, e)| s > e) || edits.windows(2).any(|w| w[0].1 > w[1].0) {
                return Err(format!("{what}: {} has overlapping or reversed edits: {edits:?}", d.rule.code));
            }
        }
    }
    Ok(())
}

/// Applies a unified diff to `old` as `patch` does (exact positions, context checked).
pub fn apply_unified(old: &str, patch: &str) -> Result<String, String> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let lines: Vec<&str> = patch.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut at = 0; // next old line to copy
    let mut i = 0;
    let content = |i: usize| -> String {
        let line = &lines[i][1..];
        if lines.get(i + 1).is_some_and(|next| next.starts_with('\\')) {
            line.strip_suffix('\n').unwrap_or(line).to_string()
        } else {
            line.to_string()
        }
    };
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("--- ") || line.starts_with("+++ ") || line.starts_with('\\') {
            i += 1;
            continue;
        }
        let Some(header) = line.strip_prefix("@@ -") else { return Err(format!("unexpected patch line {line:?}")) };
        let old_part = header.split(' ').next().unwrap_or_default();
        let mut numbers = old_part.split(',').map(|n| n.parse::<usize>().unwrap_or(0));
        let start = numbers.next().unwrap_or(0);
        let count = numbers.next().unwrap_or(1);
        let first = if count == 0 { start } else { start.saturating_sub(1) };
        if first < at || first > old_lines.len() {
            return Err(format!("hunk {line:?} out of order"));
        }
        old_lines[at..first].iter().for_each(|l| out.push_str(l));
        at = first;
        i += 1;
        while i < lines.len() && !lines[i].starts_with("@@") && !lines[i].starts_with("--- ") {
            let line = lines[i];
            match line.as_bytes()[0] {
                b' ' | b'-' => {
                    let want = content(i);
                    if old_lines.get(at) != Some(&want.as_str()) {
                        return Err(format!("hunk line {line:?} does not match old line {:?}", old_lines.get(at)));
                    }
                    if line.starts_with(' ') {
                        out.push_str(&want);
                    }
                    at += 1;
                }
                b'+' => out.push_str(&content(i)),
                b'\\' => {}
                _ => return Err(format!("unexpected hunk line {line:?}")),
            }
            i += 1;
        }
    }
    old_lines[at..].iter().for_each(|l| out.push_str(l));
    Ok(out)
}

/// For each array of strings, by pointer: how many entries repeat an earlier one.
fn repeated_strings(node: &xsuaa_lint::syntax::json::Node, pointer: String, out: &mut Vec<(String, usize)>) {
    use xsuaa_lint::syntax::json::Value;
    match &node.value {
        Value::Array(items) => {
            let strings: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
            let mut distinct = strings.clone();
            distinct.sort_unstable();
            distinct.dedup();
            out.push((pointer.clone(), strings.len() - distinct.len()));
            for (i, item) in items.iter().enumerate() {
                repeated_strings(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for m in members {
                repeated_strings(&m.value, xsuaa_lint::syntax::json::pointer_push(&pointer, &m.key), out);
            }
        }
        _ => {}
    }
}

/// The migration rules: each run moves an instance one stage, so their fixes may continue in
/// the next run.
fn is_migration(code: &str) -> bool {
    matches!(code, "XS101" | "XS102" | "XS103" | "XS104" | "XS105" | "XS109")
}

fn fix_text(source: &SourceFile, unsafe_fixes: bool, options: &LintOptions<'_>) -> Option<String> {
    match fix::fix_source(source, unsafe_fixes, options) {
        FixOutcome::Fixed(f) => Some(f.text),
        _ => None,
    }
}

/// A descriptor: lint (plain, with a plan, with a base), fix, fix again, diff, render.
fn run_descriptor(rng: &mut Rng, source: &SourceFile, corpus: &[Seed], ws: &Workspace) -> Result<(), String> {
    let diagnostics = lint::lint(source);
    check_diagnostics("lint", source, &diagnostics)?;
    if ws.render_always || rng.chance(8) {
        xsuaa_lint::report::full::render(&source.path, Some(source), &diagnostics, rng.chance(2), true);
    }
    let plan = *rng.pick(&["application", "apiaccess", "broker", "space", "system"]);
    let base_seed = &corpus[rng.below(corpus.len())];
    let base_root = std::str::from_utf8(&base_seed.bytes)
        .ok()
        .and_then(|t| xsuaa_lint::syntax::json::parse(t, if t.starts_with('\u{feff}') { 3 } else { 0 }).ok());
    let base = base_root.map(|root| xsuaa_lint::model::descriptor::Baseline {
        revision: "HEAD".into(),
        renamed_from: None,
        root,
        dual_since: None,
    });
    let options = match rng.below(3) {
        0 => LintOptions::default(),
        1 => LintOptions { plan: Some(plan), ..LintOptions::default() },
        _ => LintOptions { base: base.as_ref(), ..LintOptions::default() },
    };
    if options.plan.is_some() || options.base.is_some() {
        let with = lint::lint_with(source, &options);
        check_diagnostics("lint with options", source, &with)?;
    }
    let root = xsuaa_lint::syntax::json::parse(&source.text, source.bom_len());
    if let Ok(root) = &root {
        let mut out = Vec::new();
        xs120::check_json(source, root, &mut out);
        check_diagnostics("credentials", source, &out)?;
    }
    let has = |safe_only: bool| {
        diagnostics.iter().any(|d| {
            d.fix.as_ref().is_some_and(|f| !safe_only || f.applicability == xsuaa_lint::diagnostic::Applicability::Safe)
        })
    };
    let extra = options.plan.is_some() || options.base.is_some();
    for unsafe_fixes in [false, true] {
        if !extra && !has(!unsafe_fixes) {
            continue;
        }
        let Some(fixed) = fix_text(source, unsafe_fixes, &options) else { continue };
        let fixed_source = SourceFile::new(source.path.clone(), fixed.clone());
        if let Err(e) = xsuaa_lint::syntax::json::parse(&fixed, fixed_source.bom_len()) {
            return Err(format!("the fixed text (unsafe: {unsafe_fixes}) does not parse: {}\n{fixed}", e.message));
        }
        if root.is_err() {
            return Err("a text that does not parse was fixed".into());
        }
        check_diagnostics("lint of the fixed text", &fixed_source, &lint::lint(&fixed_source))?;
        if let (Ok(before), Ok(after)) = (&root, xsuaa_lint::syntax::json::parse(&fixed, fixed_source.bom_len())) {
            // Safe fixes keep every binding working: what allowed instance secrets still does
            // (unless the descriptor was invalid, when its state was in doubt anyway).
            let state =
                |n: &xsuaa_lint::syntax::json::Node| xsuaa_lint::model::descriptor::CredentialTypes::of(n).state();
            // Under `apiaccess` instance secrets are not allowed at all: XS105 removes them.
            let valid = !diagnostics.iter().any(|d| d.rule.code == "XS002") && options.plan != Some("apiaccess");
            if !unsafe_fixes
                && valid
                && state(before).allows_instance_secret()
                && !state(&after).allows_instance_secret()
            {
                return Err(format!(
                    "safe fixes removed instance-secret: {:?} -> {:?}\n{fixed}",
                    state(before),
                    state(&after)
                ));
            }
            // A fix never makes a list name something twice (a renamed key moves its list, so
            // the lists are counted together).
            let count = |root: &xsuaa_lint::syntax::json::Node| {
                let mut lists = Vec::new();
                repeated_strings(root, String::new(), &mut lists);
                lists.iter().map(|(_, n)| n).sum::<usize>()
            };
            if count(&after) > count(before) {
                return Err(format!("fix repeats an entry of a list (unsafe: {unsafe_fixes})\n{fixed}"));
            }
        }
        // Fixing again: a run moves an instance one migration stage at most, so a second run
        // may take the next stage (XS101-XS105, XS109); any other fix must have been done in
        // the first. A few runs in a row converge.
        let again_source = fixed_source.clone();
        if let Some(again) = fix_text(&again_source, unsafe_fixes, &options) {
            let fixable: Vec<&str> = lint::lint_with(&again_source, &options)
                .iter()
                .filter(|d| d.fix.as_ref().is_some_and(|f| fix::allowed(f, unsafe_fixes)))
                .map(|d| d.rule.code)
                .collect();
            if fixable.iter().any(|code| !is_migration(code)) {
                return Err(format!(
                    "idempotence: fixing twice (unsafe: {unsafe_fixes}) changes the text again; fixable after the first \
                     fix: {fixable:?}\n--- once:\n{fixed}\n--- twice:\n{again}"
                ));
            }
            let mut current = again;
            for run in 3.. {
                let Some(next) =
                    fix_text(&SourceFile::new("xs-security.json", current.clone()), unsafe_fixes, &options)
                else {
                    break;
                };
                if run > 5 {
                    return Err(format!(
                        "fixing does not converge in 5 runs (unsafe: {unsafe_fixes}):\n{current}\n---\n{next}"
                    ));
                }
                current = next;
            }
        }
        let patch = xsuaa_lint::report::diff::unified("xs-security.json", &source.text, &fixed);
        match apply_unified(&source.text, &patch) {
            Ok(patched) if patched == fixed => {}
            Ok(_) => return Err(format!("the diff does not give the fixed text:\n{patch}")),
            Err(e) => return Err(format!("the diff does not apply: {e}\n{patch}")),
        }
    }
    Ok(())
}

/// A deployment file: parse, committed credentials, then the whole set judged (the model,
/// every instance, the descriptors it uses) without fixes, with safe fixes and with unsafe ones.
fn run_deployment(rng: &mut Rng, format: Format, source: SourceFile, ws: &Workspace) -> Result<(), String> {
    let text = source.text.clone();
    match format {
        Format::Terraform => {
            if let Err(e) = xsuaa_lint::syntax::hcl::parse(&text) {
                if e.span.start > text.len() {
                    return Err(format!("HCL error past the end: {e:?}"));
                }
            }
        }
        Format::TerraformModule => {
            let _ = xsuaa_lint::syntax::hcl::parse(&text);
        }
        Format::Shell
        | Format::Ci
        | Format::Jenkinsfile
        | Format::PackageJson
        | Format::Makefile
        | Format::ScriptBindings => {}
        _ => match xsuaa_lint::syntax::yaml::parse_documents(&text) {
            Ok(documents) => {
                let mut out = Vec::new();
                xs120::check_secrets(&source, &documents, &mut out);
                check_diagnostics("secrets", &source, &out)?;
            }
            Err(e) => {
                if e.span.end > text.len() || !text.is_char_boundary(e.span.start) || !text.is_char_boundary(e.span.end)
                {
                    return Err(format!("YAML error span not in the text: {e:?}"));
                }
            }
        },
    }
    // An extension is read through the MTA it extends: the workspace's, with the input as one
    // more extension.
    let (kind, path, source, extra) = match format {
        Format::Mta => (FileFormat::Mta, ws.root.join("mta.yaml"), source, None),
        Format::Extension => {
            let mta = SourceFile::new("mta.yaml", ws.mta.clone());
            (FileFormat::Mta, ws.root.join("mta.yaml"), mta, Some((ws.root.join("fuzz.mtaext"), text.as_str())))
        }
        Format::Kubernetes => (FileFormat::Kubernetes, ws.root.join("k8s.yaml"), source, None),
        Format::CfManifest => (FileFormat::CfManifest, ws.root.join("manifest.yml"), source, None),
        Format::ServicesManifest => (FileFormat::ServicesManifest, ws.root.join("services-manifest.yml"), source, None),
        Format::Shell => (FileFormat::Shell, ws.root.join("deploy.sh"), source, None),
        Format::Helm => (FileFormat::HelmValues, ws.root.join("values.yaml"), source, None),
        Format::Ci => (FileFormat::Ci, ws.root.join(".gitlab-ci.yml"), source, None),
        Format::Piper => (FileFormat::Piper, ws.root.join(".pipeline/config.yml"), source, None),
        Format::Jenkinsfile => (FileFormat::Ci, ws.root.join("Jenkinsfile"), source, None),
        Format::PackageJson => (FileFormat::Ci, ws.root.join("package.json"), source, None),
        Format::Workflow => (FileFormat::Ci, ws.root.join(".github/workflows/deploy.yml"), source, None),
        Format::Makefile => (FileFormat::Shell, ws.root.join("Makefile"), source, None),
        // The input is a file that a workspace file brings in.
        Format::ParametersSource => {
            let k8s = SourceFile::new("instance.yaml", WORKSPACE_PARAMETERS_FROM.to_string());
            (
                FileFormat::Kubernetes,
                ws.root.join("instance.yaml"),
                k8s,
                Some((ws.root.join("params.yaml"), text.as_str())),
            )
        }
        Format::TerraformModule => {
            let main = SourceFile::new("main.tf", WORKSPACE_TERRAFORM.to_string());
            (FileFormat::Terraform, ws.root.join("main.tf"), main, Some((ws.root.join("variables.tf"), text.as_str())))
        }
        Format::ScriptBindings => {
            let mta = SourceFile::new("mta.yaml", ws.mta.clone());
            (FileFormat::Mta, ws.root.join("mta.yaml"), mta, Some((ws.root.join("bind.sh"), text.as_str())))
        }
        _ => (FileFormat::Terraform, ws.root.join("main.tf"), source, None),
    };
    let mut extensions = ws.extensions.clone();
    if let Some((extension, _)) = extra.as_ref().filter(|_| format == Format::Extension) {
        extensions.push(extension.clone());
    }
    let files = Overlay { workspace: ws, extra };
    let declaration = Declaration { path: &path, kind, root: &ws.root, extensions: &extensions };
    let no_base = |_: &Path, _: &str| None;
    let no_filter = |_: &Path, _: &mut Vec<Diagnostic>| {};
    for fix in [None, Some(false), Some(true)] {
        let options =
            SetOptions { policies: &[], base_of: &no_base, filter: &no_filter, fix, recommendations: None, live: None };
        let mut outcome = judge_set(&declaration, source.clone(), &files, &options);
        // What the runbook and audit add: the bindings that scripts beside it make.
        xsuaa_lint::model::deployment::attach_script_bindings(&mut outcome.set, kind, &ws.root, &files);
        for binding in outcome.set.instances.iter().flat_map(|i| &i.bindings) {
            let len = outcome.set.files.get(binding.file).map_or(0, |f| f.text.len());
            if binding.span.end > len || binding.span.start > binding.span.end {
                return Err(format!("binding span outside its file: {binding:?}"));
            }
        }
        for problem in &outcome.set.problems {
            let len = outcome.set.files.get(problem.file).map_or(0, |f| f.text.len());
            if problem.span.end > len || problem.span.start > problem.span.end {
                return Err(format!("problem span outside its file: {problem:?}"));
            }
        }
        let converged = &outcome.converged;
        for (file, diagnostics) in converged.files.iter().zip(&converged.diagnostics) {
            check_diagnostics("deployment finding", file, diagnostics)?;
            if ws.render_always || rng.chance(16) {
                xsuaa_lint::report::full::render(&file.path, Some(file), diagnostics, false, true);
            }
        }
        if converged.refused.is_none() {
            for (i, (file, original)) in converged.files.iter().zip(&converged.originals).enumerate() {
                if original.is_none() {
                    continue;
                }
                let parses = if file.path.ends_with(".tf") || (i == 0 && kind == FileFormat::Terraform) {
                    xsuaa_lint::syntax::hcl::parse(&file.text).is_ok()
                } else if i == 0 && matches!(format, Format::Jenkinsfile | Format::Makefile | Format::Shell) {
                    // Groovy and make are not parsed here.
                    true
                } else if outcome.descriptors.get(i).copied().unwrap_or(false) {
                    xsuaa_lint::syntax::json::parse(&file.text, file.bom_len()).is_ok()
                } else {
                    xsuaa_lint::syntax::yaml::parse_documents(&file.text).is_ok()
                };
                if !parses {
                    return Err(format!("a fixed file of the set does not parse: {}\n{}", file.path, file.text));
                }
            }
        }
    }
    Ok(())
}

/// Runs one input through everything that applies to its format.
pub fn run_one(input: &Input, corpus: &[Seed], ws: &Workspace, rng_seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(rng_seed, 0x5EED);
    let name = input.format.file_name();
    let as_format = if input.format == Format::Descriptor { load::ReadAs::Json } else { load::ReadAs::Deployment };
    let source = match load::from_bytes_as(name, input.bytes.clone(), as_format) {
        Ok(source) => source,
        Err(e) => {
            let lossy = e.lossy_text().unwrap_or_default().to_string();
            let d = e.into_diagnostic();
            if d.start.offset > input.bytes.len() || d.start.offset > d.end.offset || d.end.offset > input.bytes.len() {
                return Err(format!("not-UTF-8 finding outside the bytes: {d:?}"));
            }
            // Go on with the text, invalid bytes replaced: the parsers still get to see it.
            SourceFile::new(name, lossy)
        }
    };
    match input.format {
        Format::Descriptor => run_descriptor(&mut rng, &source, corpus, ws),
        format => run_deployment(&mut rng, format, source, ws),
    }
}

// ---------------------------------------------------------------------------------------------
// Running many, with panics caught and hangs detected.

thread_local! {
    /// Inside an execution: the panic hook records instead of printing.
    static CAPTURE: RefCell<Option<String>> = const { RefCell::new(None) };
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

static HOOK: std::sync::Once = std::sync::Once::new();

/// A panic hook that records the message and location of a panic inside an execution, and
/// leaves every other panic to the default hook.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(|c| c.get()) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let location =
                    info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
                CAPTURE.with(|c| *c.borrow_mut() = Some(format!("panicked at {location}: {message}")));
            } else {
                default(info);
            }
        }));
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    Panic,
    Invariant,
    /// Finished, but took longer than the timeout.
    Slow,
    /// Still running at ten times the timeout.
    Hang,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub index: u64,
    pub message: String,
    /// Where the input was saved.
    pub saved: Option<PathBuf>,
}

impl Failure {
    /// What makes two failures the same bug: the panic location, or the invariant's first line.
    pub fn signature(&self) -> String {
        let first = self.message.lines().next().unwrap_or_default();
        match self.kind {
            FailureKind::Panic => first.split(": ").next().unwrap_or(first).to_string(),
            FailureKind::Invariant => first.split(':').take(2).collect::<Vec<_>>().join(":"),
            FailureKind::Slow => "slow".into(),
            FailureKind::Hang => "hang".into(),
        }
    }
}

/// Executes one input, catching a panic.
pub fn execute(input: &Input, corpus: &[Seed], ws: &Workspace, rng_seed: u64) -> Result<(), (FailureKind, String)> {
    install_panic_hook();
    CAPTURING.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| run_one(input, corpus, ws, rng_seed)));
    CAPTURING.with(|c| c.set(false));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err((FailureKind::Invariant, message)),
        Err(_) => {
            let message = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_else(|| "panicked".into());
            Err((FailureKind::Panic, message))
        }
    }
}

pub struct Config {
    pub seed: u64,
    pub start: u64,
    pub iterations: u64,
    pub threads: usize,
    /// An execution that takes longer is a failure ("slow"); one still running at ten times
    /// this is a hang: saved, and the process exits (a thread cannot be stopped). Wall-clock
    /// time: a machine busy with other work makes executions slow, so replay slow ones alone.
    pub timeout: Duration,
    /// Stop after this long even if iterations are left.
    pub time_limit: Option<Duration>,
    /// Where failing inputs are written.
    pub out_dir: PathBuf,
    /// Go on after a failure (each distinct one is saved once); the default stops at the first.
    pub keep_going: bool,
    /// Print each index before running it (to find an input that aborts the process).
    pub trace: bool,
    /// Progress on standard error this often; `None`: quiet.
    pub progress: Option<Duration>,
    /// Failures whose signature contains one of these are counted, saved once and reported,
    /// but do not stop the run: bugs known and being fixed elsewhere.
    pub known: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            start: 0,
            iterations: 2_000,
            threads: 1,
            timeout: Duration::from_secs(2),
            time_limit: None,
            out_dir: std::env::temp_dir().join("xsuaa-lint-fuzz"),
            keep_going: false,
            trace: false,
            progress: None,
            known: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub executions: u64,
    pub elapsed: Duration,
    /// Distinct failures (the first input of each signature).
    pub failures: Vec<Failure>,
    /// Failures matching `Config::known`, by signature, with their count.
    pub known: Vec<(String, u64, Option<PathBuf>)>,
    /// The slowest execution: (index, time).
    pub slowest: (u64, Duration),
    /// The slowest executions over the timeout (at most 20): (index, time).
    pub slow: Vec<(u64, Duration)>,
}

impl Summary {
    pub fn per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Writes `input` and what happened to it under `dir`; returns the input's path.
pub fn save(dir: &Path, label: &str, input: &Input, seed: u64, index: u64, message: &str) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("{label}-seed{seed}-{index}.{}.fuzz", input.format.extension()));
    std::fs::write(&path, &input.bytes).ok()?;
    let note = format!(
        "{message}\n\nrecipe: {}\nreproduce (same commit): cargo run --release --example fuzz -- --seed {seed} --start {index} --iterations 1\n",
        input.recipe
    );
    std::fs::write(path.with_extension("txt"), note).ok()?;
    Some(path)
}

struct Slot {
    /// Milliseconds since the run started at which the current execution began; 0: idle.
    started: AtomicU64,
    index: AtomicU64,
}

/// Runs `config.iterations` inputs from `config.start` on `config.threads` threads.
pub fn run(config: &Config, corpus: &[Seed]) -> Summary {
    assert!(!corpus.is_empty(), "no seeds");
    install_panic_hook();
    let began = Instant::now();
    let next = AtomicU64::new(config.start);
    let end = config.start.saturating_add(config.iterations);
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let known: Mutex<Vec<(String, u64, Option<PathBuf>)>> = Mutex::new(Vec::new());
    let slowest = Mutex::new((0u64, Duration::ZERO));
    let slow: Mutex<Vec<(u64, Duration)>> = Mutex::new(Vec::new());
    let slots: Vec<Arc<Slot>> = (0..config.threads.max(1))
        .map(|_| Arc::new(Slot { started: AtomicU64::new(0), index: AtomicU64::new(0) }))
        .collect();
    let now_ms = || began.elapsed().as_millis() as u64 + 1;
    let watchdog_done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // The watchdog: an execution over ten times the timeout is saved and ends the process.
        scope.spawn(|| {
            let mut last_progress = Instant::now();
            let mut last_done = 0;
            while !watchdog_done.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                for slot in &slots {
                    let started = slot.started.load(Ordering::Relaxed);
                    if started != 0 && now_ms().saturating_sub(started) > 10 * config.timeout.as_millis() as u64 {
                        let index = slot.index.load(Ordering::Relaxed);
                        let input = generate(corpus, config.seed, index);
                        let message = format!("hang: input {index} ran longer than {:?}", 10 * config.timeout);
                        let saved = save(&config.out_dir, "hang", &input, config.seed, index, &message);
                        eprintln!("fuzz: {message}; input saved to {saved:?}\n  recipe: {}", input.recipe);
                        std::process::exit(3);
                    }
                }
                if let Some(every) = config.progress {
                    if last_progress.elapsed() >= every {
                        let d = done.load(Ordering::Relaxed);
                        let rate = (d - last_done) as f64 / last_progress.elapsed().as_secs_f64();
                        eprintln!(
                            "fuzz: {d} executions in {:.0?} ({rate:.0}/s now), next index {}, {} failures, {} known",
                            began.elapsed(),
                            next.load(Ordering::Relaxed).min(end),
                            failures.lock().unwrap().len(),
                            known.lock().unwrap().iter().map(|k| k.1).sum::<u64>()
                        );
                        last_progress = Instant::now();
                        last_done = d;
                    }
                }
            }
        });
        let workers: Vec<_> = slots
            .iter()
            .map(|slot| {
                let (next, stop, done, failures, known, slowest, slow) =
                    (&next, &stop, &done, &failures, &known, &slowest, &slow);
                scope.spawn(move || {
                    let ws = Workspace::new();
                    loop {
                        if stop.load(Ordering::Relaxed) || config.time_limit.is_some_and(|t| began.elapsed() >= t) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= end {
                            break;
                        }
                        let input = generate(corpus, config.seed, index);
                        if config.trace {
                            eprintln!("fuzz: index {index}: {}", input.recipe);
                        }
                        slot.index.store(index, Ordering::Relaxed);
                        let started = Instant::now();
                        slot.started.store(now_ms(), Ordering::Relaxed);
                        let result = execute(&input, corpus, &ws, config.seed ^ index);
                        slot.started.store(0, Ordering::Relaxed);
                        let took = started.elapsed();
                        {
                            let mut s = slowest.lock().unwrap();
                            if took > s.1 {
                                *s = (index, took);
                            }
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                        let result = match result {
                            Ok(()) if took > config.timeout => Err((
                                FailureKind::Slow,
                                format!("slow: input {index} took {took:?} (more than {:?})", config.timeout),
                            )),
                            other => other,
                        };
                        if result.is_err() && took > config.timeout {
                            let mut slow = slow.lock().unwrap();
                            slow.push((index, took));
                            slow.sort_by_key(|s| std::cmp::Reverse(s.1));
                            slow.truncate(20);
                        }
                        let Err((kind, message)) = result else { continue };
                        let failure = Failure { kind, index, message, saved: None };
                        let signature = failure.signature();
                        if config.known.iter().any(|k| signature.contains(k.as_str())) {
                            let mut known = known.lock().unwrap();
                            match known.iter_mut().find(|k| k.0 == signature) {
                                Some(k) => k.1 += 1,
                                None => {
                                    let saved =
                                        save(&config.out_dir, "known", &input, config.seed, index, &failure.message);
                                    known.push((signature, 1, saved));
                                }
                            }
                            continue;
                        }
                        let mut failures = failures.lock().unwrap();
                        if failures.iter().any(|f| f.signature() == signature) {
                            continue;
                        }
                        let label = match failure.kind {
                            FailureKind::Panic => "panic",
                            FailureKind::Invariant => "invariant",
                            FailureKind::Slow => "slow",
                            FailureKind::Hang => "hang",
                        };
                        let saved = save(&config.out_dir, label, &input, config.seed, index, &failure.message);
                        eprintln!(
                            "fuzz: {label} at input {index} (saved to {saved:?}): {}\n  recipe: {}",
                            failure.message.lines().next().unwrap_or_default(),
                            input.recipe
                        );
                        failures.push(Failure { saved, ..failure });
                        if !config.keep_going {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            // A panic outside an execution is the harness's own: the run cannot be trusted.
            if worker.join().is_err() {
                failures.lock().unwrap().push(Failure {
                    kind: FailureKind::Panic,
                    index: u64::MAX,
                    message: "a worker thread of the harness panicked outside an execution".into(),
                    saved: None,
                });
                stop.store(true, Ordering::Relaxed);
            }
        }
        watchdog_done.store(true, Ordering::Relaxed);
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.index);
    Summary {
        executions: done.into_inner(),
        elapsed: began.elapsed(),
        failures,
        known: known.into_inner().unwrap(),
        slowest: slowest.into_inner().unwrap(),
        slow: slow.into_inner().unwrap(),
    }
}

/// The files of `fixtures/fuzz-regressions/`: inputs that once failed.
pub fn regressions() -> Vec<Seed> {
    load_corpus(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions")])
}
