//! `cf` commands in shell scripts: `cf create-service xsuaa PLAN NAME -c FILE|JSON` (and its
//! alias `cf cs`) declares an instance; `cf create-service-key INSTANCE KEY -c JSON` (`cf csk`)
//! and `cf bind-service APP INSTANCE -c JSON` (`cf bs`) ask for a credential type.
//!
//! Each command line (continuation lines joined, heredoc bodies skipped) is split into words
//! by `shell-words`, as the shell would before expanding. A word that holds a variable (`"$PLAN"`,
//! `${PARAMS}`) is not known: the plan is then unknown, and a configuration from a variable is
//! XS007, said once per command. A `-c` path is looked for beside the script, then at the
//! repository's root (scripts run from either); one in neither is taken for a file the script
//! writes or one relative to another working directory: unknown, not missing.

use super::ci::Fragment;
use super::{descriptor_layer, push_request, Files, Format, Instance, InstanceSet, Layer, LayerKind, ProblemKind};
use crate::parse::Node;
use crate::source::Span;
use std::path::{Path, PathBuf};

/// A word of a command and its span in the file.
type Word = (String, Span);

/// One `cf` command: its words.
struct Command {
    words: Vec<Word>,
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
}

fn is_variable(word: &str) -> bool {
    word.contains('$') || word.contains('`')
}

pub(super) fn load_script(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let text = set.files[file].text.clone();
    load_fragments(set, file, &[Fragment::whole(&text)], root, files);
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
    load_fragments(set, file, &fragments, root, files);
}

fn load_fragments(set: &mut InstanceSet, file: usize, fragments: &[Fragment], root: &Path, files: &dyn Files) {
    let commands: Vec<Command> = fragments
        .iter()
        .flat_map(|f| {
            commands(&protect_expressions(&f.text)).into_iter().map(move |mut c| {
                for word in &mut c.words {
                    word.0 = word.0.replace(PROTECTED, " ");
                    word.1 = Span::new(f.offset(word.1.start), f.offset(word.1.end));
                }
                c
            })
        })
        .collect();
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    for command in &commands {
        btp_instance(set, file, command, &folder, root, files);
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
        let instance = Instance { plan, ..Instance::declared(name.0.clone(), Format::Cf, file, name.1, pointer) };
        let given = flags.iter().find(|(flag, _)| *flag == "-c").map(|(_, value)| *value);
        let place = Place { file, folder: &folder, root, files };
        add_instance(
            set,
            &place,
            instance,
            given.map(|v| ("-c", v)),
            Unknown { parts: unknown, at, start: command.words[0].1 },
            "the script runs",
        );
    }
    // `cf update-service NAME -c X` of an instance the script does not create (made by hand, or
    // the migration's own update): an xsuaa instance when X is a descriptor, by its name
    // (`xs-security*.json`) or its keys; the service is not named, so nothing else is guessed.
    for command in commands.iter().filter(cf).filter(|c| c.words[1].0 == "update-service") {
        let (positional, flags) = command.arguments();
        let [name, ..] = positional.as_slice() else { continue };
        let Some((_, value)) = flags.iter().find(|(flag, _)| *flag == "-c") else { continue };
        if is_variable(&name.0)
            || is_variable(&value.0)
            || set.instances.iter().any(|i| i.file == file && i.name == name.0)
        {
            continue;
        }
        if !is_descriptor_value(&value.0, &folder, root, files) {
            continue;
        }
        let pointer = format!("/commands/{}/update-service", name.0);
        let mut instance = Instance::declared(name.0.clone(), Format::Cf, file, name.1, pointer.clone());
        match parameters(set, file, value, &folder, root, files, &pointer, "-c") {
            Ok(Some(layer)) => instance.layers.push(layer),
            Ok(None) | Err(_) => instance.incomplete = true,
        }
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
        let Some(n) = set.instances.iter().position(|i| i.file == file && i.name == target.0) else { continue };
        // The whole command, for the runbook's list of bindings and keys.
        let whole = Span::new(command.words[0].1.start, command.words.last().map_or(target.1.end, |w| w.1.end));
        set.instances[n].bindings.push(super::BindingRef { file, key, name: name.clone(), span: whole });
        let Some((_, value)) = flags.iter().find(|(flag, _)| *flag == "-c") else { continue };
        if !value.0.trim_start().starts_with('{') {
            continue;
        }
        let Ok(node) = crate::parse::parse(&value.0, 0) else { continue };
        set.instances[n].parameters.push(super::BindingParameters {
            file,
            what: what.clone(),
            node: crate::hcl::respan(node.clone(), value.1),
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

/// Attaches the apps' bindings and the service keys that scripts beside the deployment file (or
/// at the repository's root) make for the set's instances, by name (`cf bind-service APP NAME`,
/// `cf create-service-key NAME KEY`): for `runbook`, which lists them with file and line. A script
/// that creates the instance itself has them already.
pub(super) fn attach_script_bindings(set: &mut InstanceSet, root: &Path, files: &dyn Files) {
    if set.instances.is_empty() {
        return;
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(folder) = set.paths[0].parent() {
        folders.push(super::normalize(folder));
    }
    let root = super::normalize(root);
    if !folders.contains(&root) {
        folders.push(root);
    }
    for folder in folders {
        let mut scripts = files.list(&folder, ".sh");
        scripts.extend(files.list(&folder, ".mk"));
        scripts.extend(["Makefile", "makefile", "GNUmakefile"].iter().map(|n| folder.join(n)));
        for path in scripts {
            let path = super::normalize(&path);
            if set.paths.iter().any(|p| super::normalize(p) == path) {
                continue;
            }
            let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
            if !["bind-service", "create-service-key", " bs ", " csk "].iter().any(|w| source.text.contains(w)) {
                continue;
            }
            let mut found = Vec::new();
            for command in commands(&source.text) {
                let (positional, _) = command.arguments();
                let (target, key, name) = match (command.words[1].0.as_str(), positional.as_slice()) {
                    ("create-service-key" | "csk", [instance, key, ..]) => (instance, true, key),
                    ("bind-service" | "bs", [app, instance, ..]) => (instance, false, app),
                    _ => continue,
                };
                let whole = Span::new(command.words[0].1.start, command.words.last().map_or(target.1.end, |w| w.1.end));
                let known = |i: &Instance| i.name == target.0 || i.service_name.as_deref() == Some(target.0.as_str());
                if let Some(n) = set.instances.iter().position(known) {
                    found.push((n, key, name.0.clone(), whole));
                }
            }
            if found.is_empty() {
                continue;
            }
            let file = set.add_file(path.clone(), source);
            for (n, key, name, span) in found {
                set.instances[n].bindings.push(super::BindingRef { file, key, name, span });
            }
        }
    }
}

/// Whether a `-c` value is an XSUAA descriptor: a file named `xs-security*.json` (beside the
/// script or at the root), or JSON with a key only descriptors have.
fn is_descriptor_value(word: &str, folder: &Path, root: &Path, files: &dyn Files) -> bool {
    let descriptor_keys = |text: &str| {
        crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok_and(|node| {
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
    [folder, root].iter().any(|base| {
        // Refused: taken for a descriptor, so that the refusal is reported.
        match files.read(&super::normalize(&base.join(word)), word) {
            Ok(source) => descriptor_keys(&source.text),
            Err(e) => matches!(e, super::Unreadable::Refused(_)),
        }
    })
}

/// The `-c` value: inline JSON, or a descriptor's path (beside the script, else at the root).
/// `Ok(None)`: already reported (XS004, XS005); `Err`: not known, and why. `flag` names the
/// option in messages (`-c`, `--parameters`).
#[allow(clippy::too_many_arguments)]
fn parameters(
    set: &mut InstanceSet,
    file: usize,
    value: &Word,
    folder: &Path,
    root: &Path,
    files: &dyn Files,
    pointer: &str,
    flag: &str,
) -> Result<Option<Layer>, String> {
    let (word, span) = value;
    if word.trim_start().starts_with('{') {
        // The JSON as the shell passes it; its values' positions are the whole word.
        return match crate::parse::parse(word, 0) {
            Ok(node) => Ok(Some(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{pointer}/parameters"),
                node: crate::hcl::respan(node, *span),
            })),
            Err(e) => {
                set.problem(file, *span, ProblemKind::Syntax, format!("`{flag}` is not valid JSON: {}", e.message));
                Ok(None)
            }
        };
    }
    if is_variable(word) {
        return Err(format!("the configuration `{flag} {word}`"));
    }
    if Path::new(word).is_absolute() {
        return Err(format!("the configuration `{flag} {word}` (a file outside the repository)"));
    }
    let candidates: Vec<PathBuf> = [folder.to_path_buf(), root.to_path_buf()].into_iter().collect();
    let Some(base) = candidates.iter().find(|base| super::usable(files, &super::normalize(&base.join(word)), word))
    else {
        return Err(format!(
            "the configuration `{flag} {word}` (a file neither beside the script nor at the repository's root: written by the script, or relative to another working directory)"
        ));
    };
    let node = Node { span: *span, value: crate::parse::Value::String(word.clone()) };
    let label = format!("{flag} {word}");
    Ok(descriptor_layer(set, file, &node, base, root, files, Some(&label)))
}

/// The `cf` commands of a script, in order.
fn commands(text: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let lines: Vec<(usize, &str)> = line_starts(text);
    let mut i = 0;
    let mut heredoc: Option<(String, bool)> = None;
    while i < lines.len() {
        let (start, line) = lines[i];
        i += 1;
        if let Some((delimiter, strip)) = &heredoc {
            let candidate = if *strip { line.trim_start_matches('\t') } else { line };
            if candidate.trim_end_matches('\r') == delimiter {
                heredoc = None;
            }
            continue;
        }
        // A logical line: continuations joined, and lines added while a quote is open (`-c '{`
        // over several lines). `\` + newline becomes two spaces: offsets stay the file's.
        let mut end = start + line.len();
        let mut logical = line.to_string();
        let mut words = shell_words::split(&logical);
        while (logical.ends_with('\\') || words.is_err()) && i < lines.len() && end - start < 64 * 1024 {
            let (next_start, next) = lines[i];
            i += 1;
            if logical.ends_with('\\') {
                logical.pop();
                logical.push(' ');
            }
            logical.push(' ');
            logical.push_str(next);
            end = next_start + next.len();
            words = shell_words::split(&logical);
        }
        if let Some(delimiter) = heredoc_start(&logical) {
            heredoc = Some(delimiter);
        }
        let Ok(words) = words else { continue };
        if !(logical.contains("cf") || logical.contains("btp")) {
            continue;
        }
        let spans = word_spans(&logical, start);
        let spans: Vec<Span> =
            if spans.len() == words.len() { spans } else { vec![Span::new(start, end); words.len()] };
        let mut words: Vec<Word> = words.into_iter().zip(spans).collect();
        // Split at the shell's command separators, then find `cf SUBCOMMAND`.
        while !words.is_empty() {
            let cut = words.iter().position(|(w, _)| matches!(w.as_str(), "&&" | "||" | ";" | "|" | "&"));
            let rest = cut.map(|c| words.split_off(c + 1)).unwrap_or_default();
            if cut.is_some() {
                words.pop();
            }
            if let Some(c) = words.iter().position(|(w, _)| is_command(w, "cf") || is_command(w, "btp")) {
                if words.len() > c + 1 {
                    out.push(Command { words: words.split_off(c) });
                }
            }
            words = rest;
        }
    }
    out
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
fn btp_instance(set: &mut InstanceSet, file: usize, command: &Command, folder: &Path, root: &Path, files: &dyn Files) {
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
    let instance = Instance { plan, ..Instance::declared(name.0.clone(), Format::Btp, file, name.1, pointer) };
    let place = Place { file, folder, root, files };
    let given = flag("parameters").map(|v| ("--parameters", v));
    add_instance(
        set,
        &place,
        instance,
        given,
        Unknown { parts: unknown, at, start: command.words[0].1 },
        "the command runs",
    );
}

/// Where a command is written: its file, the folder its paths are relative to, the repository.
struct Place<'a> {
    file: usize,
    folder: &'a Path,
    root: &'a Path,
    files: &'a dyn Files,
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
    given: Option<(&str, &Word)>,
    mut unknown: Unknown,
    when: &str,
) {
    if let Some((flag, value)) = given {
        let pointer = instance.pointer.clone();
        match parameters(set, place.file, value, place.folder, place.root, place.files, &pointer, flag) {
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

fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        out.push((start, line));
        start += line.len() + 1;
    }
    out
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

/// Where each word of a logical line is in the file (`base`: the line's offset), counted as
/// `shell_words::split` counts them: unquoted blanks separate, quotes and backslashes join, a
/// `#` at a word's start begins a comment. Joined lines keep their length, so the offsets are
/// the file's.
fn word_spans(line: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') => escaped = true,
            (Some(_), _) => {}
            (None, '\\') => {
                start.get_or_insert(i);
                escaped = true;
            }
            (None, '\'' | '"') => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push(Span::new(base + s, base + i));
                }
            }
            (None, '#') if start.is_none() => break,
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(Span::new(base + s, base + line.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_found_with_their_words() {
        let text = "#!/bin/sh\nset -e\ncat > params.json <<EOF\ncf cs xsuaa space not-this\nEOF\n\
            cf create-service xsuaa application my-uaa \\\n  -c '{\"xsappname\": \"a\"}' && cf csk my-uaa k1 -c '{\"credential-type\": \"x509\"}'\n";
        let commands = commands(text);
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
