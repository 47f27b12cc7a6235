//! `cf` commands in shell scripts: `cf create-service xsuaa PLAN NAME -c FILE|JSON` (and its
//! alias `cf cs`) declares an instance; `cf create-service-key INSTANCE KEY -c JSON` (`cf csk`)
//! and `cf bind-service APP INSTANCE -c JSON` (`cf bs`) ask for a credential type.
//!
//! Each command line (continuation lines joined, heredoc bodies skipped) is split into words
//! by `shell-words`, as the shell would before expanding. A word that holds a variable (`"$PLAN"`,
//! `${PARAMS}`) is not known: the plan is then unknown, and a configuration from a variable is
//! XS007, said once per command. A `-c` path is looked for as the script runs it (see
//! [`super::workdir`]): where its `cd`s lead when it states them, else beside the script, then
//! in its project's folder (scripts run from either); one in none is taken for a file the script
//! writes or one relative to another working directory: unknown, not missing.

use super::ci::Fragment;
use super::workdir::{Located, WorkDir};
use super::{
    descriptor_layer, push_request, Files, Instance, InstanceFormat, InstanceSet, Layer, LayerKind, ProblemKind,
};
use crate::syntax::json::Node;
use crate::text::source::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A word of a command and its span in the file.
type Word = (String, Span);

/// One `cf` command: its words, and what its file arguments name where it runs.
struct Command {
    words: Vec<Word>,
    /// What the value of `-c` or `--parameters` names, by where the value's word ends.
    given: Vec<(usize, Given)>,
}

/// What a `-c` or `--parameters` value names, as the shell resolves it where the command runs.
#[derive(Debug, Clone)]
enum Given {
    /// A file at this place.
    Place(Located),
    /// The file a here-document of the script wrote: its body (in the file; its text as the
    /// shell reads it, `exact` when that is the file's text there), and whether the shell
    /// expands variables in it (an unquoted delimiter).
    Written { body: Span, text: String, exact: bool, expands: bool },
}

impl Command {
    /// The positional arguments and the value of each flag that takes one.
    fn arguments(&self) -> (Vec<&Word>, Vec<(&str, &Word)>) {
        let mut positional = Vec::new();
        let mut flags = Vec::new();
        let mut words = self.words.iter().skip(2);
        while let Some(word) = words.next() {
            match word.0.as_str() {
                "-c" | "-t" | "-b" | "-p" | "--binding-name" => {
                    if let Some(value) = words.next() {
                        flags.push((word.0.as_str(), value));
                    }
                }
                w if w.starts_with('-') => {}
                _ => positional.push(word),
            }
        }
        (positional, flags)
    }

    /// What a flag's value names (see [`Given`]).
    fn given(&self, value: &Word) -> Option<&Given> {
        self.given.iter().find(|(end, _)| *end == value.1.end).map(|(_, g)| g)
    }
}

fn is_variable(word: &str) -> bool {
    word.contains('$') || word.contains('`')
}

pub(super) fn load_script(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let text = set.files[file].text.clone();
    let make = set.paths[file].file_name().and_then(|n| n.to_str()).is_some_and(is_makefile_name);
    load_fragments(set, file, &[Fragment::whole(&text)], make, root, files);
}

/// `Makefile`, `makefile`, `GNUmakefile`, `*.mk`: recipes whose `$(...)` are make's.
fn is_makefile_name(name: &str) -> bool {
    matches!(name, "Makefile" | "makefile" | "GNUmakefile") || name.ends_with(".mk")
}

/// The commands of a CI file, a Jenkinsfile or `package.json` (see [`super::ci`]).
pub(super) fn load_ci(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let name = set.paths[file].file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some((span, message)) = super::ci::syntax_error(&name, &set.files[file].text) {
        // Silent when nothing in it creates a service: most broken CI files are not ours to judge.
        if super::ci::mentions_service_command(&set.files[file].text) {
            set.problem(file, span, super::ProblemKind::Syntax, message);
        }
        return;
    }
    let fragments = super::ci::fragments(&name, &set.files[file].text);
    load_fragments(set, file, &fragments, false, root, files);
}

fn load_fragments(
    set: &mut InstanceSet,
    file: usize,
    fragments: &[Fragment],
    make: bool,
    root: &Path,
    files: &dyn Files,
) {
    let mut commands: Vec<Command> = Vec::new();
    for f in fragments {
        let (found, unended) = commands_of(&protect_expressions(&f.text), make);
        commands.extend(found.into_iter().map(|mut c| {
            for word in &mut c.words {
                word.0 = word.0.replace(PROTECTED, " ");
                word.1 = Span::new(f.offset(word.1.start), f.offset(word.1.end));
            }
            for (end, given) in &mut c.given {
                *end = f.offset(*end);
                if let Given::Written { body, exact, .. } = given {
                    *exact &= f.is_whole();
                    *body = Span::new(f.offset(body.start), f.offset(body.end));
                }
            }
            c
        }));
        for (span, delimiter) in unended {
            // bash would read the rest into it; read as commands here, so that none is missed.
            let message = format!(
                "the here-document started here never ends (no line `{delimiter}`): the shell reads the rest of the script into it, so the commands after it do not run; they are judged as if they did"
            );
            set.problem(file, Span::new(f.offset(span.start), f.offset(span.end)), ProblemKind::Syntax, message);
        }
    }
    let place = Place::of(&set.paths[file], file, root, files);
    for command in &commands {
        btp_instance(set, &place, command);
    }
    let cf = |c: &&Command| is_command(&c.words[0].0, "cf");
    for command in commands.iter().filter(cf).filter(|c| matches!(c.words[1].0.as_str(), "create-service" | "cs")) {
        let (positional, flags) = command.arguments();
        let [service, plan, name, ..] = positional.as_slice() else { continue };
        // A service named by a variable may be anything: not guessed.
        if service.0 != "xsuaa" {
            continue;
        }
        let mut unknown: Vec<String> = Vec::new();
        // The finding sits on the first part that is not known.
        let mut at: Option<Span> = None;
        let plan = if is_variable(&plan.0) {
            unknown.push(format!("the plan `{}`", plan.0));
            at = Some(plan.1);
            None
        } else {
            Some((plan.0.clone(), plan.1))
        };
        let pointer = format!("/commands/{}", name.0);
        let instance =
            Instance { plan, ..Instance::declared(name.0.clone(), InstanceFormat::Cf, file, name.1, pointer) };
        let given = flags.iter().find(|(flag, _)| *flag == "-c").map(|(_, value)| *value);
        add_instance(
            set,
            &place,
            instance,
            given.map(|v| ("-c", v, command.given(v))),
            Unknown { parts: unknown, at, start: command.words[0].1 },
            "the script runs",
        );
    }
    // `cf update-service NAME -c X` of an instance the script does not create (made by hand, or
    // the migration's own update): an xsuaa instance when X is a descriptor, by its name
    // (`xs-security*.json`) or its keys; the service is not named, so nothing else is guessed.
    // The file's instances by name (the first of each), looked up once per command.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (n, instance) in set.instances.iter().enumerate().filter(|(_, i)| i.file == file) {
        by_name.entry(instance.name.clone()).or_insert(n);
    }
    for command in commands.iter().filter(cf).filter(|c| c.words[1].0 == "update-service") {
        let (positional, flags) = command.arguments();
        let [name, ..] = positional.as_slice() else { continue };
        let Some((_, value)) = flags.iter().find(|(flag, _)| *flag == "-c") else { continue };
        if is_variable(&name.0) || is_variable(&value.0) || by_name.contains_key(&name.0) {
            continue;
        }
        if !is_descriptor_value(&value.0, command.given(value), &place) {
            continue;
        }
        let pointer = format!("/commands/{}/update-service", name.0);
        let mut instance = Instance::declared(name.0.clone(), InstanceFormat::Cf, file, name.1, pointer.clone());
        match parameters(set, &place, value, command.given(value), &pointer, "-c") {
            Ok(Some(layer)) => instance.layers.push(layer),
            Ok(None) | Err(_) => instance.incomplete = true,
        }
        by_name.entry(instance.name.clone()).or_insert(set.instances.len());
        set.instances.push(instance);
    }
    // Service keys and bindings of the instances the script creates.
    for command in commands.iter().filter(cf) {
        let (positional, flags) = command.arguments();
        let (target, what, key, name) = match (command.words[1].0.as_str(), positional.as_slice()) {
            ("create-service-key" | "csk", [instance, key, ..]) => {
                (instance, format!("service key `{}`", key.0), true, &key.0)
            }
            ("bind-service" | "bs", [app, instance, ..]) => {
                (instance, format!("the binding of app `{}`", app.0), false, &app.0)
            }
            _ => continue,
        };
        let Some(&n) = by_name.get(&target.0) else {
            // An instance the script does not declare: only what the request asks is judged.
            if let Some(request) = undeclared_request(file, command, &target.0, value_of(&flags), &what) {
                set.undeclared.push(request);
            }
            continue;
        };
        // The whole command, for the runbook's list of bindings and keys.
        let whole = Span::new(command.words[0].1.start, command.words.last().map_or(target.1.end, |w| w.1.end));
        set.instances[n].bindings.push(super::BindingRef {
            file,
            key,
            name: name.clone(),
            span: whole,
            handle: super::Handle::Plain,
        });
        let Some((_, value)) = flags.iter().find(|(flag, _)| *flag == "-c") else { continue };
        if !value.0.trim_start().starts_with('{') {
            continue;
        }
        let Ok(node) = crate::syntax::json::parse(&value.0, 0) else { continue };
        set.instances[n].parameters.push(super::BindingParameters {
            file,
            what: what.clone(),
            node: crate::syntax::hcl::respan(node.clone(), value.1),
            pointer: format!("/commands/{}/{}", target.0, command.words[1].0),
            renewal: super::Renewal::Unknown,
        });
        if let Some(request) = node.get("credential-type") {
            let request = Node { span: value.1, value: request.value.clone() };
            let pointer = format!("/commands/{}/{}/credential-type", target.0, command.words[1].0);
            push_request(&mut set.instances[n], file, what, &request, pointer);
        }
    }
}

/// The `-c` value of a command.
fn value_of<'a>(flags: &[(&str, &'a Word)]) -> Option<&'a Word> {
    flags.iter().find(|(flag, _)| *flag == "-c").map(|(_, value)| *value)
}

/// The `credential-type` a key or binding of an instance the file does not declare asks for in
/// its inline `-c` JSON, placed on that JSON.
fn undeclared_request(
    file: usize,
    command: &Command,
    instance: &str,
    value: Option<&Word>,
    what: &str,
) -> Option<super::CredentialRequest> {
    let (text, span) = value?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let node = crate::syntax::json::parse(text, 0).ok()?;
    let asked = node.get("credential-type")?.as_str()?.to_string();
    Some(super::CredentialRequest {
        file,
        what: format!("{what} of instance `{instance}`"),
        value: asked,
        span: *span,
        pointer: format!("/commands/{instance}/{}/credential-type", command.words[1].0),
    })
}

/// Attaches the apps' bindings and the service keys that scripts beside the deployment file (or
/// at the repository's root) make for the set's instances, by name (`cf bind-service APP NAME`,
/// `cf create-service-key NAME KEY`): for `runbook`, which lists them with file and line. A script
/// that creates the instance itself has them already.
pub(super) fn attach_script_bindings(set: &mut InstanceSet, root: &Path, files: &dyn Files) {
    if set.instances.is_empty() {
        return;
    }
    let folders = super::side_folders(set, root);
    // The set's instances by name and by service name (the first of each).
    let mut known: HashMap<&str, usize> = HashMap::new();
    for (n, instance) in set.instances.iter().enumerate() {
        for name in std::iter::once(instance.name.as_str()).chain(instance.service_name.as_deref()) {
            known.entry(name).or_insert(n);
        }
    }
    let known: HashMap<String, usize> = known.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let taken: std::collections::HashSet<PathBuf> = set.paths.iter().map(|p| super::normalize(p)).collect();
    for folder in folders {
        let mut scripts = files.list(&folder, ".sh");
        scripts.extend(files.list(&folder, ".mk"));
        scripts.extend(["Makefile", "makefile", "GNUmakefile"].iter().map(|n| folder.join(n)));
        for path in scripts {
            let path = super::normalize(&path);
            if taken.contains(&path) {
                continue;
            }
            let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
            if !["bind-service", "create-service-key", " bs ", " csk "].iter().any(|w| source.text.contains(w)) {
                continue;
            }
            let mut found = Vec::new();
            let make = path.file_name().and_then(|n| n.to_str()).is_some_and(is_makefile_name);
            for command in commands_of(&source.text, make).0 {
                let (positional, _) = command.arguments();
                let (target, key, name) = match (command.words[1].0.as_str(), positional.as_slice()) {
                    ("create-service-key" | "csk", [instance, key, ..]) => (instance, true, key),
                    ("bind-service" | "bs", [app, instance, ..]) => (instance, false, app),
                    _ => continue,
                };
                let whole = Span::new(command.words[0].1.start, command.words.last().map_or(target.1.end, |w| w.1.end));
                if let Some(&n) = known.get(&target.0) {
                    found.push((n, key, name.0.clone(), whole));
                }
            }
            if found.is_empty() {
                continue;
            }
            let file = set.add_file(path.clone(), source);
            for (n, key, name, span) in found {
                set.instances[n].bindings.push(super::BindingRef {
                    file,
                    key,
                    name,
                    span,
                    handle: super::Handle::Plain,
                });
            }
        }
    }
}

/// Whether a `-c` value is an XSUAA descriptor: a file named `xs-security*.json` (where the
/// command finds it), or JSON with a key only descriptors have.
fn is_descriptor_value(word: &str, given: Option<&Given>, place: &Place<'_>) -> bool {
    let descriptor_keys = |text: &str| {
        crate::syntax::json::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok_and(|node| {
            ["xsappname", "oauth2-configuration", "role-templates", "role-collections", "tenant-mode"]
                .iter()
                .any(|k| node.get(k).is_some())
        })
    };
    if word.trim_start().starts_with('{') {
        return descriptor_keys(word);
    }
    let name = Path::new(word).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.starts_with("xs-security") && name.ends_with(".json") {
        return true;
    }
    match given {
        Some(Given::Written { text, .. }) => descriptor_keys(text),
        Some(Given::Place(located)) => place.candidates(located).is_ok_and(|candidates| {
            candidates.iter().any(|path| {
                // Refused: taken for a descriptor, so that the refusal is reported.
                match place.files.read(path, word) {
                    Ok(source) => descriptor_keys(&source.text),
                    Err(e) => matches!(e, super::Unreadable::Refused(_)),
                }
            })
        }),
        None => false,
    }
}

/// The `-c` value: inline JSON, a file a here-document of the script wrote, or a descriptor's
/// path where the command finds it (see [`Place::candidates`]). `Ok(None)`: already reported
/// (XS004, XS005); `Err`: not known, and why. `flag` names the option in messages (`-c`,
/// `--parameters`).
fn parameters(
    set: &mut InstanceSet,
    place: &Place<'_>,
    value: &Word,
    given: Option<&Given>,
    pointer: &str,
    flag: &str,
) -> Result<Option<Layer>, String> {
    let (word, span) = value;
    let file = place.file;
    let inline = |node: Node| Layer {
        file,
        kind: LayerKind::Inline,
        pointer: format!("{pointer}/parameters"),
        node: node.into(),
    };
    if word.trim_start().starts_with('{') {
        // The JSON as the shell passes it; its values' positions are the whole word.
        return match crate::syntax::json::parse(word, 0) {
            Ok(node) => Ok(Some(inline(crate::syntax::hcl::respan(node, *span)))),
            Err(e) => {
                set.problem(file, *span, ProblemKind::Syntax, format!("`{flag}` is not valid JSON: {}", e.message));
                Ok(None)
            }
        };
    }
    let located = match given {
        Some(Given::Written { body, text, exact, expands }) => {
            if *expands && text.contains(['$', '`']) {
                return Err(format!(
                    "the configuration `{flag} {word}` (written by a here-document whose delimiter is not quoted, so the shell replaces its `$` words first)"
                ));
            }
            let parsed = if *exact {
                // Parsed where it is written, so that findings point into the script.
                let script = &set.files[file].text;
                crate::syntax::json::parse(&script[..body.end.min(script.len())], body.start.min(body.end))
            } else {
                crate::syntax::json::parse(text, 0).map(|node| crate::syntax::hcl::respan(node, *body))
            };
            return match parsed {
                Ok(node) => Ok(Some(inline(node))),
                Err(e) => {
                    let at = if *exact { e.span } else { *body };
                    let message =
                        format!("the here-document passed as `{flag} {word}` is not valid JSON: {}", e.message);
                    set.problem(file, at, ProblemKind::Syntax, message);
                    Ok(None)
                }
            };
        }
        Some(Given::Place(located)) => located.clone(),
        None => Located::Unknown,
    };
    let candidates = match place.candidates(&located) {
        Ok(candidates) => candidates,
        Err(Some(why)) => return Err(format!("the configuration `{flag} {word}` ({why})")),
        Err(None) => return Err(format!("the configuration `{flag} {word}`")),
    };
    let Some(found) = candidates.iter().find(|path| super::usable(place.files, path, word)) else {
        return Err(format!("the configuration `{flag} {word}` ({})", place.looked_in(&located)));
    };
    let node = Node { span: *span, value: crate::syntax::json::Value::String(word.clone()) };
    let label = format!("{flag} {word}");
    let base = found.parent().unwrap_or(place.root);
    let name = found.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let node = Node { value: crate::syntax::json::Value::String(name), ..node };
    Ok(descriptor_layer(set, file, &node, base, place.root, place.files, Some(&label)))
}

/// A here-document whose delimiter never comes: where its `<<` is, and the delimiter.
type Unended = (Span, String);

/// The `cf` and `btp` commands of a shell script, in order, or of a Makefile's recipes (`make`: `$(...)` is make's,
/// `$$` its escape of `$`), and the here-documents that never end. Each command knows what its `-c` and
/// `--parameters` values name where it runs (the `cd`s before it followed, see [`super::workdir`]).
fn commands_of(text: &str, make: bool) -> (Vec<Command>, Vec<Unended>) {
    let lexer = Lexer::new(text, make);
    let mut out = Vec::new();
    let mut unended = Vec::new();
    let mut workdir = WorkDir::new();
    // The files here-documents wrote, by where they are.
    let mut written: HashMap<Located, Given> = HashMap::new();
    let mut at = 0;
    while at < text.len() {
        let line = lexer.logical_line(at);
        if make {
            // Each line of a recipe runs in a shell of its own, in the Makefile's folder.
            workdir.restart();
        }
        workdir.follow(&text[at..line.next.min(text.len())]);
        let bodies = lexer.skip_heredocs(line.next, &line.heredocs, &mut unended);
        if let ([(opened, _)], [Some(body)]) = (line.heredocs.as_slice(), bodies.0.as_slice()) {
            if let Some(target) = super::workdir::heredoc_target(&line.words) {
                let delimiter = text[opened.end..].trim_start_matches('-').trim_start();
                let expands = !delimiter.starts_with(['\'', '"', '\\']);
                let text = text[body.start..body.end].to_string();
                let written_file = Given::Written { body: *body, text, exact: true, expands };
                written.insert(workdir.locate(target), written_file);
            }
        }
        at = bodies.1;
        let mut words = line.words;
        if !words.iter().any(|(w, _)| w.contains("cf") || w.contains("btp")) {
            continue;
        }
        // Split at the shell's command separators, then find `cf SUBCOMMAND`.
        while !words.is_empty() {
            let cut = words.iter().position(|(w, _)| matches!(w.as_str(), "&&" | "||" | ";" | "|" | "&"));
            let rest = cut.map(|c| words.split_off(c + 1)).unwrap_or_default();
            if cut.is_some() {
                words.pop();
            }
            if let Some(c) = words.iter().position(|(w, _)| is_command(w, "cf") || is_command(w, "btp")) {
                if words.len() > c + 1 {
                    let words = words.split_off(c);
                    let mut given = Vec::new();
                    for (i, (word, span)) in words.iter().enumerate() {
                        let value = match word.strip_prefix("--parameters=") {
                            Some(value) => value,
                            None if i > 0 && matches!(words[i - 1].0.as_str(), "-c" | "--parameters") => word,
                            None => continue,
                        };
                        if value.trim_start().starts_with('{') {
                            continue;
                        }
                        let place = workdir.locate(value);
                        let named = written.get(&place).cloned().unwrap_or(Given::Place(place));
                        given.push((span.end, named));
                    }
                    out.push(Command { words, given });
                }
            }
            words = rest;
        }
    }
    (out, unended)
}

/// How long a quoted word may run over lines before its quote is taken for a stray one.
const MAX_QUOTED: usize = 64 * 1024;

/// One command line of a script: continuation lines joined, quoted words over several lines.
struct LogicalLine {
    words: Vec<Word>,
    /// The here-documents it starts (where the `<<` is, the delimiter), in order.
    heredocs: Vec<(Span, String)>,
    /// Where the next line starts.
    next: usize,
}

/// A shell lexer, one pass over the text: words as `shell-words` splits them (quotes,
/// backslashes, comments at a word's start), and besides it knows arithmetic (`$((1 << 2))`),
/// here-documents (`<<EOF`, never inside quotes, arithmetic or a comment) and, in a Makefile,
/// make's `$(...)`. A quote still open at the end of the text (or after [`MAX_QUOTED`]
/// bytes) is a stray one: it ends with its line, and the next line is read as a command.
struct Lexer<'t> {
    text: &'t str,
    make: bool,
    /// Each line's text trimmed, to the lines that hold it: where a here-document ends.
    lines: std::collections::HashMap<&'t str, Vec<usize>>,
}

enum Quote {
    None,
    Single,
    Double,
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str, make: bool) -> Self {
        let mut lines: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
        // Only lines that may end a here-document are indexed: `<<` is rare.
        if text.contains("<<") {
            let mut start = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim();
                if !trimmed.is_empty() && !trimmed.contains(char::is_whitespace) {
                    lines.entry(trimmed).or_default().push(start);
                }
                start += line.len();
            }
        }
        Lexer { text, make, lines }
    }

    /// The logical line from `at`; a stray quote ends with its line.
    fn logical_line(&self, at: usize) -> LogicalLine {
        self.lex(at, false).or_else(|| self.lex(at, true)).unwrap_or_else(|| {
            // Not reached: a line-bounded lex ends at the line's end. Skip the line.
            let next = self.line_end(at) + 1;
            LogicalLine { words: Vec::new(), heredocs: Vec::new(), next }
        })
    }

    /// Where reading goes on after the here-documents a line started: after each one's last
    /// line; and each one's body (`None` for one that never ends). One whose delimiter never
    /// comes is taken for a misreading, not for the rest of the file (bash would read to the
    /// end, with a warning): its body is read as commands.
    fn skip_heredocs(
        &self,
        mut at: usize,
        heredocs: &[(Span, String)],
        unended: &mut Vec<Unended>,
    ) -> (Vec<Option<Span>>, usize) {
        let mut bodies = Vec::with_capacity(heredocs.len());
        for (span, delimiter) in heredocs {
            let end = self.lines.get(delimiter.as_str()).and_then(|lines| {
                let i = lines.partition_point(|&l| l < at);
                lines.get(i).copied()
            });
            match end {
                Some(line) => {
                    bodies.push(Some(Span::new(at.min(line), line)));
                    at = self.text[line..].find('\n').map_or(self.text.len(), |n| line + n + 1);
                }
                None => {
                    bodies.push(None);
                    unended.push((*span, delimiter.clone()));
                }
            }
        }
        (bodies, at)
    }

    /// Lexes one logical line from `at`. `None`: a quote is still open at the end of the
    /// text or after [`MAX_QUOTED`] bytes (unless `line_bounded`: a newline ends every quote).
    fn lex(&self, at: usize, line_bounded: bool) -> Option<LogicalLine> {
        let bytes = self.text.as_bytes();
        let mut words: Vec<Word> = Vec::new();
        let mut heredocs = Vec::new();
        let mut word = String::new();
        let mut start: Option<usize> = None;
        let mut quote = Quote::None;
        let mut quote_opened = at;
        let mut i = at;
        macro_rules! finish {
            ($end:expr) => {
                if let Some(s) = start.take() {
                    words.push((std::mem::take(&mut word), Span::new(s, $end)));
                }
            };
        }
        while i < bytes.len() {
            let c = bytes[i];
            if self.make && c == b'$' && bytes.get(i + 1) == Some(&b'$') {
                // Make's escape of `$`, in and out of quotes: the shell gets one `$`.
                start.get_or_insert(i);
                word.push('$');
                i += 2;
                continue;
            }
            match quote {
                Quote::Single => {
                    if c == b'\'' {
                        quote = Quote::None;
                    } else if c == b'\n' && line_bounded {
                        finish!(i);
                        return Some(LogicalLine { words, heredocs, next: i + 1 });
                    } else if !line_bounded && i - quote_opened > MAX_QUOTED {
                        return None;
                    } else {
                        push_char(&mut word, self.text, i);
                    }
                    i += char_len(c);
                    continue;
                }
                Quote::Double => {
                    if c == b'"' {
                        quote = Quote::None;
                    } else if c == b'\n' && line_bounded {
                        finish!(i);
                        return Some(LogicalLine { words, heredocs, next: i + 1 });
                    } else if !line_bounded && i - quote_opened > MAX_QUOTED {
                        return None;
                    } else if c == b'\\' && i + 1 < bytes.len() {
                        let next = bytes[i + 1];
                        match next {
                            b'\n' if line_bounded => {}
                            b'\n' => {}
                            b'$' | b'`' | b'"' | b'\\' => word.push(next as char),
                            _ => {
                                word.push('\\');
                                push_char(&mut word, self.text, i + 1);
                            }
                        }
                        if !(next == b'\n' && line_bounded) {
                            i += 1 + char_len(next);
                            continue;
                        }
                    } else {
                        push_char(&mut word, self.text, i);
                    }
                    i += char_len(c);
                    continue;
                }
                Quote::None => {}
            }
            match c {
                b'\n' => {
                    finish!(i);
                    return Some(LogicalLine { words, heredocs, next: i + 1 });
                }
                b' ' | b'\t' | b'\r' => {
                    finish!(i);
                    i += 1;
                }
                b'#' if start.is_none() => {
                    // A comment: nothing in it counts, to the end of the line.
                    i = self.text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                }
                b'\'' => {
                    start.get_or_insert(i);
                    quote = Quote::Single;
                    quote_opened = i;
                    i += 1;
                }
                b'"' => {
                    start.get_or_insert(i);
                    quote = Quote::Double;
                    quote_opened = i;
                    i += 1;
                }
                b'\\' => match bytes.get(i + 1) {
                    // A continuation: the command (and a word begun) goes on on the next line.
                    Some(b'\n') => i += 2,
                    Some(b'\r') if bytes.get(i + 2) == Some(&b'\n') => i += 3,
                    Some(&next) => {
                        start.get_or_insert(i);
                        push_char(&mut word, self.text, i + 1);
                        i += 1 + char_len(next);
                    }
                    None => {
                        start.get_or_insert(i);
                        word.push('\\');
                        i += 1;
                    }
                },
                b'$' if bytes.get(i + 1) == Some(&b'(') && (self.make || bytes.get(i + 2) == Some(&b'(')) => {
                    // Arithmetic (`$((1 << 2))`), or make's `$(subst ',,$(X))`: one part of
                    // the word, to its closing parenthesis on this line.
                    start.get_or_insert(i);
                    let end = closing_parenthesis(bytes, i + 1);
                    word.push_str(&self.text[i..end]);
                    i = end;
                }
                b'(' if start.is_none() && bytes.get(i + 1) == Some(&b'(') => {
                    // An arithmetic command: `(( x <<= 2 ))`.
                    start.get_or_insert(i);
                    let end = closing_parenthesis(bytes, i);
                    word.push_str(&self.text[i..end]);
                    i = end;
                }
                b'<' if bytes.get(i + 1) == Some(&b'<') => {
                    start.get_or_insert(i);
                    if bytes.get(i + 2) == Some(&b'<') {
                        word.push_str("<<<");
                        i += 3;
                    } else {
                        if let Some((delimiter, _)) = heredoc_start(&self.text[i..self.line_end(i)]) {
                            heredocs.push((Span::new(i, i + 2), delimiter));
                        }
                        word.push_str("<<");
                        i += 2;
                    }
                }
                _ => {
                    start.get_or_insert(i);
                    push_char(&mut word, self.text, i);
                    i += char_len(c);
                }
            }
        }
        if !matches!(quote, Quote::None) && !line_bounded {
            return None;
        }
        finish!(bytes.len());
        Some(LogicalLine { words, heredocs, next: bytes.len() })
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..].find('\n').map_or(self.text.len(), |n| at + n)
    }
}

/// Where the parentheses opened at `open` close (after the `)`), on this line; the line's end
/// when they do not.
fn closing_parenthesis(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'\n' => return i,
            _ => {}
        }
    }
    bytes.len()
}

/// The length of the UTF-8 sequence a byte starts (1 for a continuation byte: never split).
fn char_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn push_char(word: &mut String, text: &str, at: usize) {
    if let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) {
        word.push(c);
    }
}

/// Stands for a blank inside a CI expression while the words are split.
const PROTECTED: char = '\u{1}';

/// A CI expression (`${{ env.PLAN }}` in GitHub Actions, `$(PLAN)` in Azure Pipelines is one
/// word already) is one word, as the CI system substitutes it before the shell runs: its blanks
/// are protected, byte for byte, so that offsets stay the text's.
fn protect_expressions(text: &str) -> String {
    if !text.contains("${{") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("${{") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &rest[open..open + close + 2];
        out.extend(inner.chars().map(|c| if c == ' ' || c == '\t' { PROTECTED } else { c }));
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// `cf`, `/usr/bin/cf`, and in a Makefile recipe `@cf` or `-cf` (silent, errors ignored).
fn is_command(word: &str, program: &str) -> bool {
    let word = word.trim_start_matches(['@', '-', '+']);
    word == program || word.strip_suffix(program).is_some_and(|head| head.ends_with('/'))
}

/// `btp create services/instance --offering-name xsuaa --plan-name PLAN --name NAME
/// --parameters JSON|FILE` (global options may come first): an instance of the other
/// environment. A plan given by its ID (`--plan`) is not a name: unknown, not guessed.
fn btp_instance(set: &mut InstanceSet, place: &Place<'_>, command: &Command) {
    let file = place.file;
    if !is_command(&command.words[0].0, "btp") {
        return;
    }
    let Some(verb) = command.words.iter().position(|w| w.0 == "create") else { return };
    if command.words.get(verb + 1).map(|w| w.0.as_str()) != Some("services/instance") {
        return;
    }
    // `--flag value` and `--flag=value`.
    let mut flags: Vec<(String, Word)> = Vec::new();
    let mut words = command.words[verb + 2..].iter();
    while let Some((word, span)) = words.next() {
        let Some(flag) = word.strip_prefix("--") else { continue };
        match flag.split_once('=') {
            Some((name, value)) => {
                let at = span.start + 2 + name.len() + 1;
                flags.push((name.to_string(), (value.to_string(), Span::new(at.min(span.end), span.end))));
            }
            None => {
                if let Some(value) = words.next() {
                    flags.push((flag.to_string(), value.clone()));
                }
            }
        }
    }
    let flag = |name: &str| flags.iter().find(|(f, _)| f == name).map(|(_, w)| w);
    if flag("offering-name").map(|w| w.0.as_str()) != Some("xsuaa") {
        return;
    }
    let Some(name) = flag("name").or_else(|| flag("service")) else { return };
    let mut unknown: Vec<String> = Vec::new();
    let mut at: Option<Span> = None;
    let plan = match flag("plan-name") {
        Some(plan) if is_variable(&plan.0) => {
            unknown.push(format!("the plan `{}`", plan.0));
            at = Some(plan.1);
            None
        }
        Some(plan) => Some(plan.clone()),
        None => None,
    };
    let pointer = format!("/commands/{}", name.0);
    let instance = Instance { plan, ..Instance::declared(name.0.clone(), InstanceFormat::Btp, file, name.1, pointer) };
    let given = flag("parameters").map(|v| ("--parameters", v, command.given(v)));
    add_instance(
        set,
        place,
        instance,
        given,
        Unknown { parts: unknown, at, start: command.words[0].1 },
        "the command runs",
    );
}

/// Where a command is written: its file, the folder it starts in, the repository.
struct Place<'a> {
    file: usize,
    /// The folder the file is started from: a script's own (or its project's, see
    /// [`Place::candidates`]), the checkout a pipeline runs in, `package.json`'s folder.
    folder: PathBuf,
    /// Whether `folder` is the one the commands start in for sure (a pipeline's checkout,
    /// `npm run`); a script may be started from its project's folder as well.
    fixed: bool,
    root: &'a Path,
    files: &'a dyn Files,
    /// The project the script belongs to (see [`Place::project`]), found when first asked for.
    project: std::cell::OnceCell<(PathBuf, Option<&'static str>)>,
}

/// What marks a project's folder, nearest first.
const PROJECT_MARKERS: [&str; 4] = ["mta.yaml", "mta.yml", "package.json", ".git"];

impl<'a> Place<'a> {
    /// The place of a script, a Makefile or a CI file at `path`.
    fn of(path: &Path, file: usize, root: &'a Path, files: &'a dyn Files) -> Self {
        let own = path.parent().map(super::normalize).unwrap_or_default();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let in_workflows = own.ends_with(".github/workflows");
        // A GitHub workflow runs in the checkout, the folder that holds `.github`; a GitLab or
        // Azure pipeline, a Jenkinsfile and `npm run` in their own file's folder.
        let fixed = in_workflows || super::FileFormat::of_name(name) == Some(super::FileFormat::Ci);
        let folder = if in_workflows { own.parent().and_then(Path::parent).map(Path::to_path_buf) } else { None };
        let folder = folder.unwrap_or(own);
        Place { file, folder, fixed, root, files, project: std::cell::OnceCell::new() }
    }

    /// The project the folder belongs to: the nearest folder (the script's own, or one above it
    /// in the repository) with an `mta.yaml`, a `package.json` or a `.git`, and which; the
    /// repository's root when there is none.
    fn project(&self) -> &(PathBuf, Option<&'static str>) {
        self.project.get_or_init(|| {
            let root = super::normalize(self.root);
            for folder in self.folder.ancestors().take_while(|f| f.starts_with(&root)) {
                for marker in PROJECT_MARKERS {
                    let there = |p: &Path| super::usable(self.files, p, marker);
                    let found = if marker == ".git" {
                        there(&folder.join(".git/HEAD")) || there(&folder.join(".git"))
                    } else {
                        there(&folder.join(marker))
                    };
                    if found {
                        return (folder.to_path_buf(), Some(marker));
                    }
                }
            }
            (root, None)
        })
    }

    /// The files a command may mean by a path, in the order it is looked for: where the
    /// command runs when the script tells (`cd`), else beside the script, then in its
    /// project's folder. `Err`: not in the repository, and why when that is worth saying.
    fn candidates(&self, located: &Located) -> Result<Vec<PathBuf>, Option<String>> {
        match located {
            Located::Start(relative) => {
                let mut out = vec![super::normalize(&self.folder.join(relative))];
                let project = super::normalize(&self.project().0.join(relative));
                if !self.fixed && !out.contains(&project) {
                    out.push(project);
                }
                Ok(out)
            }
            Located::Script(relative) => Ok(vec![super::normalize(&self.folder.join(relative))]),
            Located::Absolute(_) => Err(Some("a file outside the repository".to_string())),
            Located::Unknown => Err(None),
        }
    }

    /// Where a path was looked for and why it may be missing, for a message: "a file neither
    /// beside the script nor in its project's folder `..` (the nearest with `package.json`):
    /// ...".
    fn looked_in(&self, located: &Located) -> String {
        let from_here = |folder: &Path| {
            let relative = relative_path(&self.folder, folder);
            super::workdir::shown(&relative)
        };
        let where_ = match located {
            Located::Script(relative) => {
                let folder = super::normalize(&self.folder.join(relative));
                let folder = folder.parent().map(from_here).unwrap_or_default();
                return format!(
                    "not in `{folder}` from the script's folder, where the script's `cd` runs the command: written by the script, or a wrong path"
                );
            }
            _ if self.fixed => "a file not in the folder the pipeline runs in".to_string(),
            _ => match self.project() {
                (project, _) if *project == self.folder => {
                    "a file not beside the script, which is its project's folder".to_string()
                }
                (project, Some(marker)) => format!(
                    "a file neither beside the script nor in its project's folder `{}` (the nearest with `{marker}`)",
                    from_here(project)
                ),
                (_, None) => "a file neither beside the script nor at the repository's root".to_string(),
            },
        };
        format!("{where_}: written by the script, or relative to another working directory")
    }
}

/// `to` from `from`, both absolute and normalised: `..`, `../deploy`, `sub`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let common = from.components().zip(to.components()).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in from.components().skip(common) {
        out.push("..");
    }
    for part in to.components().skip(common) {
        out.push(part);
    }
    out
}

/// What a command leaves unknown until it runs (its plan, ...), and where to say so.
struct Unknown {
    parts: Vec<String>,
    at: Option<Span>,
    start: Span,
}

/// Reads the parameters a command passes (`-c`, `--parameters`) into the instance it creates,
/// says once (XS007) what is not known until `when`, and adds the instance.
fn add_instance(
    set: &mut InstanceSet,
    place: &Place<'_>,
    mut instance: Instance,
    given: Option<(&str, &Word, Option<&Given>)>,
    mut unknown: Unknown,
    when: &str,
) {
    if let Some((flag, value, named)) = given {
        let pointer = instance.pointer.clone();
        match parameters(set, place, value, named, &pointer, flag) {
            Ok(Some(layer)) => instance.layers.push(layer),
            Ok(None) => instance.incomplete = true,
            Err(why) => {
                instance.incomplete = true;
                unknown.at.get_or_insert(value.1);
                unknown.parts.push(why);
            }
        }
    }
    if !unknown.parts.is_empty() {
        let message = format!(
            "{} of instance `{}` {} not known until {when}{}",
            unknown.parts.join(" and "),
            instance.name,
            if unknown.parts.len() > 1 { "are" } else { "is" },
            if instance.incomplete { "; its configuration is not judged" } else { "" }
        );
        set.unknown(place.file, unknown.at.unwrap_or(unknown.start), message);
    }
    set.instances.push(instance);
}

/// `cat > x.json <<EOF`, `<<-'EOF'`: the delimiter, and whether tabs are stripped.
fn heredoc_start(line: &str) -> Option<(String, bool)> {
    let at = line.find("<<")?;
    let rest = &line[at + 2..];
    if rest.starts_with('<') {
        return None; // a here-string
    }
    let (strip, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | ')'))
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    (!word.is_empty()).then_some((word, strip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_found_with_their_words() {
        let text = "#!/bin/sh\nset -e\ncat > params.json <<EOF\ncf cs xsuaa space not-this\nEOF\n\
            cf create-service xsuaa application my-uaa \\\n  -c '{\"xsappname\": \"a\"}' && cf csk my-uaa k1 -c '{\"credential-type\": \"x509\"}'\n";
        let commands = commands_of(text, false).0;
        assert_eq!(commands.len(), 2, "the heredoc body is skipped");
        let first: Vec<&str> = commands[0].words.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(first, ["cf", "create-service", "xsuaa", "application", "my-uaa", "-c", "{\"xsappname\": \"a\"}"]);
        let json = commands[0].words[6].1;
        assert_eq!(&text[json.start..json.end], "'{\"xsappname\": \"a\"}'");
        assert_eq!(commands[1].words[1].0, "csk");
        assert_eq!(heredoc_start("cat <<-'END' > x"), Some(("END".to_string(), true)));
        assert_eq!(heredoc_start("cat <<< \"$x\""), None);
        assert_eq!(protect_expressions("a ${{ env.X }} b ${{ c"), "a ${{\u{1}env.X\u{1}}} b ${{ c");
    }
}
