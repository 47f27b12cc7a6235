//! Shell commands held by other files: CI pipelines (GitHub Actions `run:`, GitLab
//! `script:`/`before_script:`/`after_script:`, Azure Pipelines `script:`/`bash:`/`inlineScript:`),
//! a Jenkinsfile's `sh '...'` and `package.json` `scripts`. Each is cut into fragments of shell
//! text with a map back to the file's offsets, so the `cf`/`btp` commands found in them are
//! placed where they are written.

use crate::syntax::json::{Node, Value};
use crate::text::source::Span;

/// Shell text and where each of its bytes is in the file (`map[i]`; one more for the end).
pub(super) struct Fragment {
    pub text: String,
    map: Option<Vec<usize>>,
}

impl Fragment {
    /// The whole file, as is.
    pub fn whole(text: &str) -> Self {
        Fragment { text: text.to_string(), map: None }
    }

    /// Whether the fragment is the whole file, so that its offsets are the file's.
    pub fn is_whole(&self) -> bool {
        self.map.is_none()
    }

    /// The fragment after `head` (written nowhere: placed where the fragment starts).
    pub fn prefixed(self, head: &str) -> Self {
        let start = self.offset(0);
        let map = match self.map {
            Some(map) => std::iter::repeat_n(start, head.len()).chain(map).collect(),
            None => std::iter::repeat_n(0, head.len()).chain(0..=self.text.len()).collect(),
        };
        Fragment { text: format!("{head}{}", self.text), map: Some(map) }
    }

    /// Where an offset of the fragment is in the file.
    pub fn offset(&self, at: usize) -> usize {
        match &self.map {
            None => at,
            Some(map) => map.get(at).copied().unwrap_or_else(|| map.last().copied().unwrap_or(0)),
        }
    }
}

/// The YAML keys whose strings are shell scripts.
const SCRIPT_KEYS: [&str; 6] = ["run", "script", "before_script", "after_script", "bash", "inlineScript"];

/// Why a CI file or `package.json` does not parse (a Jenkinsfile is not parsed): the span and the
/// message for XS004.
pub(super) fn syntax_error(name: &str, text: &str) -> Option<(crate::text::source::Span, String)> {
    if name.eq_ignore_ascii_case("package.json") {
        let offset = usize::from(text.starts_with('\u{feff}')) * 3;
        return crate::syntax::json::parse(text, offset)
            .err()
            .map(|e| (e.span, format!("not valid JSON: {}", e.message)));
    }
    if name.starts_with("Jenkinsfile") || name.ends_with(".jenkinsfile") || name.ends_with(".groovy") {
        return None;
    }
    crate::syntax::yaml::parse_documents(text).err().map(|e| (e.span, format!("not valid YAML: {}", e.message)))
}

/// Whether a file runs a command that creates or updates a service instance, so that not being
/// able to read it may hide one.
pub(super) fn mentions_service_command(text: &str) -> bool {
    ["cf create-service", "cf cs ", "cf update-service", "btp create services/instance", "btp update services/instance"]
        .iter()
        .any(|command| text.contains(command))
}

/// The fragments of a file of kind [`super::FileFormat::Ci`], by its name.
pub(super) fn fragments(name: &str, text: &str) -> Vec<Fragment> {
    if name.eq_ignore_ascii_case("package.json") {
        let Ok(root) = crate::syntax::json::parse(text, usize::from(text.starts_with('\u{feff}')) * 3) else {
            return Vec::new();
        };
        let scripts = root.get("scripts").and_then(Node::as_object).unwrap_or_default();
        return scripts.iter().filter_map(|m| aligned(text, &m.value)).collect();
    }
    if name.starts_with("Jenkinsfile") || name.ends_with(".jenkinsfile") || name.ends_with(".groovy") {
        return vec![Fragment::whole(&unwrap_sh(text))];
    }
    let Ok(docs) = crate::syntax::yaml::parse_documents(text) else { return Vec::new() };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for doc in &docs {
        collect(text, doc, &mut seen, &mut out);
    }
    out
}

/// The script fragments under `node`. A script reached twice (a job reused by YAML's merge key,
/// `<<: *deploy`, is a copy with the same place in the file) is taken once: `seen` holds the
/// spans of the scripts taken.
fn collect(text: &str, node: &Node, seen: &mut std::collections::HashSet<Span>, out: &mut Vec<Fragment>) {
    match &node.value {
        Value::Object(members) => {
            // A GitHub Action that runs the CF CLI (`uses: NickChecan/sap-btp-action`, `...cf-cli-action`):
            // `with: command:` is a `cf` command without the `cf`.
            let uses = node.get("uses").and_then(Node::as_str).unwrap_or_default().to_ascii_lowercase();
            if uses.contains("cf-cli") || uses.contains("btp-action") || uses.contains("cloudfoundry") {
                if let Some(command) = node.pointer("/with/command").filter(|c| seen.insert(c.span)) {
                    out.extend(in_text(text, command).map(|f| f.prefixed("cf ")));
                }
            }
            for member in members {
                if SCRIPT_KEYS.contains(&member.key.as_str()) {
                    match &member.value.value {
                        Value::String(_) if seen.insert(member.value.span) => out.extend(aligned(text, &member.value)),
                        Value::String(_) => {}
                        Value::Array(items) => out.extend(
                            items
                                .iter()
                                .filter(|i| i.as_str().is_none() || seen.insert(i.span))
                                .filter_map(|i| aligned(text, i)),
                        ),
                        _ => collect(text, &member.value, seen, out),
                    }
                } else {
                    collect(text, &member.value, seen, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(text, i, seen, out)),
        _ => {}
    }
}

/// A string node's text, each line mapped to where it is written inside the node's span (a
/// block scalar's lines are the file's, less their indentation); a line written otherwise
/// (escapes, folding) maps to the whole node.
fn aligned(text: &str, node: &Node) -> Option<Fragment> {
    let value = node.as_str()?;
    if !(value.contains("cf") || value.contains("btp")) {
        return None;
    }
    in_text(text, node)
}

/// [`aligned`], whatever the string holds.
fn in_text(text: &str, node: &Node) -> Option<Fragment> {
    let value = node.as_str()?;
    let (start, end) = (node.span.start.min(text.len()), node.span.end.min(text.len()));
    let (start, end) = (start.min(end), end);
    let region = text.get(start..end)?;
    // The node's line ends, found once.
    let newlines: Vec<usize> = region.match_indices('\n').map(|(i, _)| start + i).collect();
    let line_after = |at: usize| {
        let i = newlines.partition_point(|&n| n < at);
        newlines.get(i).map_or(end, |&n| n + 1)
    };
    let mut map = Vec::with_capacity(value.len() + 1);
    let mut cursor = start;
    let mut last_found = true;
    for line in value.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let found = if content.is_empty() {
            Some(cursor)
        } else {
            // Looked for in the rest of the line the last one ended on and in the next line,
            // never in the rest of the block: each value line of a block is a line of the file.
            let window_end = line_after(line_after(cursor)).min(end);
            text.get(cursor..window_end).and_then(|window| window.find(content)).map(|p| cursor + p)
        };
        last_found = found.is_some();
        match found {
            Some(at) => {
                map.extend((0..content.len()).map(|i| at + i));
                cursor = at + content.len();
                if line.len() > content.len() {
                    map.push(cursor);
                }
                if content.is_empty() {
                    cursor = line_after(cursor);
                }
            }
            // Written otherwise (folded, escaped): its words are placed at the last place given
            // (the value's start before any line was found; never before it, or a word's span
            // would end before it starts), and the next line is looked for from the next line
            // of the file.
            None => {
                let here = map.last().copied().unwrap_or(start);
                map.extend(std::iter::repeat_n(here, line.len()));
                cursor = line_after(cursor);
            }
        }
    }
    map.push(if last_found { cursor } else { map.last().copied().unwrap_or(start) });
    Some(Fragment { text: value.to_string(), map: Some(map) })
}

/// A Jenkinsfile with each single-line `sh '...'` (`sh "..."`, `sh(script: '...')`) turned into
/// its command, the wrapper blanked so that offsets stay the file's; the lines of a
/// multi-line `sh '''...'''` are shell lines already, and its closing quotes (and the Groovy
/// after them) are blanked too, or the shell would read them as a quote that opens.
fn unwrap_sh(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Inside a multi-line `sh`: the quotes that close it.
    let mut open_block: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(quotes) = open_block {
            match body.find(quotes) {
                Some(close) => {
                    out.push_str(&body[..close]);
                    out.push_str(&" ".repeat(body.len() - close));
                    out.push_str(&line[body.len()..]);
                    open_block = None;
                }
                None => out.push_str(line),
            }
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let rest = &body[indent..];
        let open = ["sh(script:", "sh(", "sh "]
            .iter()
            .find_map(|p| rest.strip_prefix(p))
            .map(|r| (rest.len() - r.len(), r.trim_start()))
            .and_then(|(skip, r)| {
                let q = r.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
                let quotes = if r.starts_with("'''") || r.starts_with("\"\"\"") { 3 } else { 1 };
                Some((indent + skip + (rest.len() - skip - r.len()) + quotes, q, quotes))
            });
        match open {
            Some((head, q, quotes)) => {
                let close = if quotes == 3 {
                    let triple = if q == '\'' { "'''" } else { "\"\"\"" };
                    match body[head..].find(triple) {
                        Some(at) => head + at,
                        None => {
                            open_block = Some(triple);
                            body.len()
                        }
                    }
                } else {
                    body.rfind(q).filter(|c| *c >= head).unwrap_or(body.len())
                };
                out.push_str(&" ".repeat(head));
                out.push_str(&body[head..close]);
                out.push_str(&" ".repeat(body.len() - close));
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Project Piper's `.pipeline/config.yml`: every map (under `steps:`, `stages:` or `general:`)
/// with `cfService: xsuaa` declares an instance (`cfServicePlan`, `cfServiceInstanceName`,
/// `cfCreateServiceConfig`: inline JSON or a file beside the `Jenkinsfile`, the folder above
/// `.pipeline`); one with `cfServiceInstance` and `cfServiceKeyConfig` (inline JSON) asks for a
/// service key of it.
pub(super) fn load_piper(set: &mut super::InstanceSet, file: usize, root: &std::path::Path, files: &dyn super::Files) {
    use super::{Instance, InstanceFormat, Layer, LayerKind, ProblemKind};
    let Some(docs) = super::yaml_documents(set, file) else { return };
    let Some(doc) = docs.into_iter().next() else { return };
    let mut maps: Vec<(String, &Node)> = Vec::new();
    piper_maps(&doc, "", &mut maps);
    // The project: the folder that holds `.pipeline/`.
    let folder = set.paths[file]
        .parent()
        .and_then(std::path::Path::parent)
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    // Piper reads a step's parameters from `general`, then its stage, then `steps` (each wins
    // over the one before): a key missing here is looked for in `general`.
    let general = doc.get("general");
    let get = |map: &Node, key: &str| map.get(key).or_else(|| general.and_then(|g| g.get(key))).cloned();
    // The maps that ask for a service key, by the instance they name: found once, not once per
    // instance.
    let mut keys_of: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for (index, (_, map)) in maps.iter().enumerate() {
        if let Some(name) = get(map, "cfServiceInstance").as_ref().and_then(Node::as_str) {
            keys_of.entry(name.to_string()).or_default().push(index);
        }
    }
    for (pointer, map) in &maps {
        // A map declares the instance when it names the service itself (the rest may be inherited).
        if map.get("cfService").and_then(Node::as_str) != Some("xsuaa") {
            continue;
        }
        let Some(name_node) = get(map, "cfServiceInstanceName") else { continue };
        let name = name_node.as_str().unwrap_or("?").to_string();
        let plan = get(map, "cfServicePlan").and_then(|n| n.as_str().map(|p| (p.to_string(), n.span)));
        let mut instance = Instance {
            plan,
            plan_pointer: format!("{pointer}/cfServicePlan"),
            ..Instance::declared(name, InstanceFormat::Cf, file, name_node.span, pointer.clone())
        };
        if let Some(config) = map.get("cfCreateServiceConfig") {
            let layer_pointer = format!("{pointer}/cfCreateServiceConfig");
            match config.as_str() {
                Some(text) if text.trim_start().starts_with('{') => match crate::syntax::json::parse(text, 0) {
                    Ok(node) => instance.layers.push(Layer {
                        file,
                        kind: LayerKind::Inline,
                        pointer: layer_pointer,
                        node: crate::syntax::hcl::respan(node, config.span).into(),
                    }),
                    Err(e) => {
                        instance.incomplete = true;
                        let message = format!("`cfCreateServiceConfig` is not valid JSON: {}", e.message);
                        set.problem(file, config.span, ProblemKind::Syntax, message);
                    }
                },
                Some(path) if path.contains('$') => {
                    instance.incomplete = true;
                    let message = format!(
                        "the configuration of instance `{}` is not known until the pipeline runs (`cfCreateServiceConfig: {path}`); it is not judged",
                        instance.name
                    );
                    set.unknown(file, config.span, message);
                }
                Some(path) => {
                    let label = format!("cfCreateServiceConfig: {path}");
                    match super::descriptor_layer(set, file, config, &folder, root, files, Some(&label)) {
                        Some(layer) => instance.layers.push(layer),
                        None => instance.incomplete = true,
                    }
                }
                None => {}
            }
        }
        for &index in keys_of.get(&instance.name).map(Vec::as_slice).unwrap_or_default() {
            let (key_pointer, key) = &maps[index];
            let key_name = get(key, "cfServiceKeyName").as_ref().and_then(Node::as_str).unwrap_or("?").to_string();
            let Some(config) = key.get("cfServiceKeyConfig") else { continue };
            let Some(text) = config.as_str() else { continue };
            let what = format!("service key `{key_name}`");
            if text.trim_start().starts_with('{') {
                let Ok(json) = crate::syntax::json::parse(text, 0) else { continue };
                if let Some(request) = json.get("credential-type") {
                    let request = Node { span: config.span, value: request.value.clone() };
                    let pointer = format!("{key_pointer}/cfServiceKeyConfig/credential-type");
                    super::push_request(&mut instance, file, what, &request, pointer);
                }
                continue;
            }
            // A file beside the `Jenkinsfile`: the request is placed in it.
            let path = super::normalize(&folder.join(text));
            if text.contains('$') || !path.starts_with(super::normalize(root)) {
                continue;
            }
            let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
            let json = match crate::syntax::json::parse(&source.text, source.bom_len()) {
                Ok(json) => json,
                Err(e) => {
                    // Named by the pipeline, so its syntax matters: where it breaks, not silence.
                    let index = set.add_file(path, source);
                    let message = format!(
                        "not valid JSON: {} (`cfServiceKeyConfig` of {what}; its `credential-type` is not judged)",
                        e.message
                    );
                    set.problem(index, e.span, ProblemKind::Syntax, message);
                    continue;
                }
            };
            if let Some(request) = json.get("credential-type").cloned() {
                let index = set.add_file(path, source);
                super::push_request(&mut instance, index, what, &request, "/credential-type".to_string());
            }
        }
        set.instances.push(instance);
    }
}

fn piper_maps<'a>(node: &'a Node, pointer: &str, out: &mut Vec<(String, &'a Node)>) {
    if let Value::Object(members) = &node.value {
        if members.iter().any(|m| m.key.starts_with("cfService")) {
            out.push((pointer.to_string(), node));
        }
        for member in members {
            piper_maps(&member.value, &crate::syntax::json::pointer_push(pointer, &member.key), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jenkins_sh_wrappers_are_blanked_in_place() {
        let text = "node {\n  sh 'cf cs xsuaa application a'\n  sh(script: \"cf csk a k\")\n}\n";
        let out = unwrap_sh(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("     cf cs xsuaa application a \n"), "{out:?}");
        assert!(out.contains("cf csk a k  \n"), "{out:?}");
    }

    #[test]
    fn workflow_run_blocks_map_back_to_their_lines() {
        let text = "jobs:\n  d:\n    steps:\n      - run: |\n          cf login\n          cf create-service xsuaa application uaa\n";
        let fragments = fragments("deploy.yml", text);
        assert_eq!(fragments.len(), 1);
        let f = &fragments[0];
        let at = f.text.find("xsuaa").unwrap();
        assert_eq!(&text[f.offset(at)..f.offset(at + 5)], "xsuaa");
    }

    #[test]
    fn run_block_lines_after_blank_and_escaped_lines_keep_their_place() {
        let text = "jobs:\n  d:\n    steps:\n      - run: |\n          cf login\n\n\n          cf cs xsuaa application uaa\n      - run: \"echo \\\"a\\\"\\ncf cs xsuaa space other\"\n";
        let fragments = fragments("deploy.yml", text);
        assert_eq!(fragments.len(), 2);
        let f = &fragments[0];
        let at = f.text.find("uaa").unwrap();
        assert_eq!(&text[f.offset(at)..f.offset(at + 3)], "uaa");
        // After a line written otherwise (escaped), the rest of the source line is not searched
        // again: placed where the value starts.
        let g = &fragments[1];
        let at = g.text.find("other").unwrap();
        assert_eq!(g.offset(at), text.find("\"echo").unwrap());
    }

    #[test]
    fn a_multi_line_sh_closing_quotes_are_blanked() {
        let text = "node {\n  sh \'\'\'\n    echo a\n  \'\'\')\n  sh 'cf cs xsuaa application a'\n}\n";
        let out = unwrap_sh(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains('\''), "{out:?}");
    }

    #[test]
    fn a_job_reused_by_a_merge_key_is_one_script() {
        let text = ".deploy: &deploy\n  script:\n    - cf cs xsuaa application uaa\nprod:\n  <<: *deploy\ndev:\n  <<: *deploy\n  stage: dev\nother:\n  script: [\"cf cs xsuaa application b\"]\n";
        let fragments = fragments(".gitlab-ci.yml", text);
        let texts: Vec<&str> = fragments.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["cf cs xsuaa application uaa", "cf cs xsuaa application b"]);
    }

    #[test]
    fn package_json_scripts_are_fragments() {
        let text = r#"{"scripts": {"deploy": "cf cs xsuaa application uaa -c xs-security.json", "build": "tsc"}}"#;
        let fragments = fragments("package.json", text);
        assert_eq!(fragments.len(), 1);
        let at = fragments[0].text.find("uaa -c").unwrap();
        assert_eq!(&text[fragments[0].offset(at)..fragments[0].offset(at + 3)], "uaa");
    }
}
