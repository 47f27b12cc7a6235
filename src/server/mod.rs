//! `xsuaa-lint server`: a Language Server Protocol server over standard input and output, on
//! `lsp-server` (the synchronous scaffold rust-analyzer maintains) and `lsp-types`.
//!
//! The main loop keeps the open buffers and answers requests; diagnostics are computed on one
//! worker thread: a change waits [`DEBOUNCE`] for the next keystroke, the buffer is linted from a
//! snapshot, and the result is published only if the buffer still has the version it was linted
//! at (otherwise a newer job is already queued). Every call into the linter runs under
//! `catch_unwind`: a buffer that made it panic gets a diagnostic saying so, the server lives on.
//! This module sits beside the reports: it uses the core, the configuration and the rules;
//! nothing uses it but the command line.

pub mod analyze;
mod features;
pub mod position;
mod transport;
mod uri;

use analyze::{Analysis, Buffer, DocKind, OpenTexts};
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverContents, HoverProviderCapability,
    MarkupContent, MarkupKind, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use position::Lines;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a change waits for the next one before it is linted.
pub const DEBOUNCE: Duration = Duration::from_millis(15);
/// The longest a stream of changes postpones linting.
const MAX_DELAY: Duration = Duration::from_millis(200);

struct Document {
    uri: Uri,
    version: i32,
    text: String,
    path: Option<PathBuf>,
    name: String,
    kind: DocKind,
}

impl Document {
    fn buffer(&self) -> Buffer<'_> {
        Buffer { path: self.path.as_deref(), name: &self.name, text: &self.text }
    }
}

/// The open documents, by URI.
type Documents = Arc<Mutex<HashMap<String, Document>>>;

fn lock(documents: &Documents) -> std::sync::MutexGuard<'_, HashMap<String, Document>> {
    documents.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_texts(documents: &HashMap<String, Document>) -> OpenTexts {
    documents
        .values()
        .filter_map(|d| d.path.as_ref().map(|p| (crate::model::deployment::normalize(p), d.text.clone())))
        .collect()
}

/// Runs the linter on a buffer, never letting a panic out.
fn guarded(buffer: &Buffer<'_>, open: &OpenTexts, fix: Option<bool>) -> Result<Analysis, String> {
    // Capped as `check` caps a file.
    if buffer.text.len() as u64 > crate::io::load::MAX_FILE_SIZE {
        return Err("too large".into());
    }
    catch_unwind(AssertUnwindSafe(|| analyze::analyze(buffer, open, fix))).map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(features::FIX_ALL)]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// How the client ended the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after a `shutdown` request.
    Orderly,
    /// `exit`, or the end of input, without a `shutdown` request first (the protocol asks for
    /// exit status 1).
    WithoutShutdown,
}

/// Serves the protocol on standard input and output until the client says `exit`.
pub fn run() -> Result<Ending, String> {
    let (connection, io_threads) = transport::stdio();
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    if !initialize(&connection, caps)? {
        drop(connection);
        io_threads.join()?;
        return Ok(Ending::WithoutShutdown);
    }
    let documents: Documents = Arc::default();
    let (jobs, queue) = mpsc::channel::<(String, Duration)>();
    let worker = {
        let documents = documents.clone();
        let sender = connection.sender.clone();
        std::thread::Builder::new()
            .name("xsuaa-lint-diagnostics".into())
            .spawn(move || worker(queue, &documents, &|m| drop(sender.send(m))))
            .map_err(|e| e.to_string())?
    };
    let mut server = Server { documents, jobs };
    let mut shut_down = false;
    let mut ending = Ending::WithoutShutdown;
    for message in &connection.receiver {
        match message {
            // After `shutdown`, requests are errors (the protocol's InvalidRequest) and only `exit` counts.
            Message::Request(request) if shut_down => {
                let message = format!("`{}` after `shutdown`: only `exit` is expected", request.method);
                let response = Response::new_err(request.id, ErrorCode::InvalidRequest as i32, message);
                connection.sender.send(Message::Response(response)).map_err(|e| e.to_string())?;
            }
            Message::Request(request) if request.method == req::Shutdown::METHOD => {
                shut_down = true;
                let response = Response::new_ok(request.id, ());
                connection.sender.send(Message::Response(response)).map_err(|e| e.to_string())?;
            }
            Message::Request(request) => {
                let response = server.request(request);
                connection.sender.send(Message::Response(response)).map_err(|e| e.to_string())?;
            }
            Message::Notification(notification) if notification.method == notif::Exit::METHOD => {
                if shut_down {
                    ending = Ending::Orderly;
                }
                break;
            }
            Message::Notification(_) if shut_down => {}
            Message::Notification(notification) => {
                for message in server.notification(notification) {
                    connection.sender.send(message).map_err(|e| e.to_string())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(server);
    let _ = worker.join();
    drop(connection);
    io_threads.join()?;
    Ok(ending)
}

/// The protocol's opening: the `initialize` request answered with the capabilities (requests
/// before it get ServerNotInitialized). `false`: the client said `exit`, or went away, first.
/// (`lsp-server`'s own opening fails on `exit` there, and on anything but `initialized` next.)
fn initialize(connection: &lsp_server::Connection, capabilities: serde_json::Value) -> Result<bool, String> {
    for message in &connection.receiver {
        let response = match message {
            Message::Request(request) if request.method == req::Initialize::METHOD => {
                let result = serde_json::json!({ "capabilities": capabilities });
                connection.sender.send(Response::new_ok(request.id, result).into()).map_err(|e| e.to_string())?;
                return Ok(true);
            }
            Message::Request(request) => {
                let message = format!("`{}` before `initialize`", request.method);
                Response::new_err(request.id, ErrorCode::ServerNotInitialized as i32, message)
            }
            Message::Notification(n) if n.method == notif::Exit::METHOD => return Ok(false),
            Message::Notification(_) | Message::Response(_) => continue,
        };
        connection.sender.send(response.into()).map_err(|e| e.to_string())?;
    }
    Ok(false)
}

/// Lints queued documents: waits for the changes to settle, lints each once, publishes what is
/// still current.
fn worker(queue: mpsc::Receiver<(String, Duration)>, documents: &Documents, send: &dyn Fn(Message)) {
    while let Ok((first, wait)) = queue.recv() {
        let started = Instant::now();
        let mut pending = vec![first];
        let mut deadline = started + wait;
        let mut open = true;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match queue.recv_timeout(left) {
                Ok((uri, wait)) => {
                    if !pending.contains(&uri) {
                        pending.push(uri);
                    }
                    deadline = (Instant::now() + wait).min(started + MAX_DELAY);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    open = false;
                    break;
                }
            }
        }
        if std::env::var_os("XSUAA_LINT_SERVER_TIMING").is_some() {
            eprintln!(
                "xsuaa-lint server: batch of {} after {:.1} ms",
                pending.len(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        for uri in pending {
            if let Some(message) = lint_current(documents, &uri) {
                send(message);
            }
        }
        if !open {
            break;
        }
    }
}

/// The diagnostics of a document as it is now, or `None` when it closed or changed meanwhile.
fn lint_current(documents: &Documents, key: &str) -> Option<Message> {
    let (uri, version, text, path, name, open) = {
        let documents = lock(documents);
        let d = documents.get(key)?;
        (d.uri.clone(), d.version, d.text.clone(), d.path.clone(), d.name.clone(), open_texts(&documents))
    };
    let buffer = Buffer { path: path.as_deref(), name: &name, text: &text };
    let started = Instant::now();
    let analysis = guarded(&buffer, &open, None);
    if std::env::var_os("XSUAA_LINT_SERVER_TIMING").is_some() {
        eprintln!("xsuaa-lint server: linted {key} v{version} in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    }
    let diagnostics = match analysis {
        _ if text.len() as u64 > crate::io::load::MAX_FILE_SIZE => vec![features::too_large()],
        Ok(analysis) => features::diagnostics(&text, &analysis),
        Err(panic) => vec![features::internal_error(&panic)],
    };
    // Stale: a newer version is queued (or the document closed); its result will be published.
    if lock(documents).get(key).map(|d| d.version) != Some(version) {
        return None;
    }
    let params = PublishDiagnosticsParams { uri, diagnostics, version: Some(version) };
    Some(Message::Notification(Notification::new(notif::PublishDiagnostics::METHOD.to_string(), params)))
}

struct Server {
    documents: Documents,
    jobs: mpsc::Sender<(String, Duration)>,
}

impl Server {
    fn queue(&self, uri: &str, wait: Duration) {
        let _ = self.jobs.send((uri.to_string(), wait));
    }

    /// A document changed: it, every open deployment file (which may bring it in) and, when it
    /// is a deployment file, every open descriptor (which may be judged through it).
    fn changed(&self, uri: &str, wait: Duration) {
        self.queue(uri, wait);
        let dependents: Vec<String> = {
            let documents = lock(&self.documents);
            let deployment = documents.get(uri).is_some_and(|d| matches!(d.kind, DocKind::Deployment(_)));
            documents
                .iter()
                .filter(|(k, d)| {
                    k.as_str() != uri
                        && (matches!(d.kind, DocKind::Deployment(_)) || (deployment && d.kind == DocKind::Descriptor))
                })
                .map(|(k, _)| k.clone())
                .collect()
        };
        for other in dependents {
            self.queue(&other, wait);
        }
    }

    fn relint_all(&self) {
        let keys: Vec<String> = lock(&self.documents).keys().cloned().collect();
        for key in keys {
            self.queue(&key, Duration::ZERO);
        }
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str().to_string();
                let path = uri::to_path(&p.text_document.uri);
                let name = uri::file_name(&p.text_document.uri);
                let kind = analyze::kind_of(path.as_deref(), &name);
                let document = Document {
                    uri: p.text_document.uri,
                    version: p.text_document.version,
                    text: p.text_document.text,
                    path,
                    name,
                    kind,
                };
                lock(&self.documents).insert(key.clone(), document);
                self.changed(&key, Duration::ZERO);
            }
            notif::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str().to_string();
                {
                    let mut documents = lock(&self.documents);
                    let Some(d) = documents.get_mut(&key) else { return Vec::new() };
                    d.text = position::apply_changes(std::mem::take(&mut d.text), p.content_changes);
                    d.version = p.text_document.version;
                }
                self.changed(&key, DEBOUNCE);
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                lock(&self.documents).remove(p.text_document.uri.as_str());
                self.relint_all();
                // Nothing stays shown for a closed file.
                let params =
                    PublishDiagnosticsParams { uri: p.text_document.uri, diagnostics: Vec::new(), version: None };
                return vec![Message::Notification(Notification::new(
                    notif::PublishDiagnostics::METHOD.to_string(),
                    params,
                ))];
            }
            // A saved file, or a watched one (`xsuaa-lint.toml`, a descriptor on disk) changed:
            // the configuration and the files deployment files read may differ now.
            notif::DidSaveTextDocument::METHOD | notif::DidChangeWatchedFiles::METHOD => self.relint_all(),
            _ => {}
        }
        Vec::new()
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        let result = match r.method.as_str() {
            req::CodeActionRequest::METHOD => self.code_actions(r),
            req::HoverRequest::METHOD => self.hover(r),
            _ => Err((ErrorCode::MethodNotFound, format!("unsupported request `{}`", r.method))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// A document's buffer and the open texts, or the error for a document not open.
    fn with_document<T>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Document, &OpenTexts) -> T,
    ) -> Result<T, (ErrorCode, String)> {
        let documents = lock(&self.documents);
        let open = open_texts(&documents);
        let Some(document) = documents.get(uri.as_str()) else {
            return Err((ErrorCode::InvalidParams, format!("unknown document: {} is not open", uri.as_str())));
        };
        Ok(f(document, &open))
    }

    fn code_actions(&self, r: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let p: lsp_types::CodeActionParams =
            serde_json::from_value(r.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let only = p.context.only.as_deref();
        self.with_document(&p.text_document.uri, |d, open| {
            let mut actions = Vec::new();
            let buffer = d.buffer();
            if features::wanted(only, CodeActionKind::QUICKFIX.as_str()) {
                if let Ok(analysis) = guarded(&buffer, open, None) {
                    actions.extend(features::quick_fixes(&d.uri, &d.text, &analysis, p.range));
                }
            }
            if features::wanted(only, features::FIX_ALL) {
                if let Ok(fixed) = guarded(&buffer, open, Some(false)) {
                    actions.extend(features::fix_all(&d.uri, &fixed.changes));
                }
            }
            serde_json::to_value(actions).unwrap_or_default()
        })
    }

    fn hover(&self, r: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let p: lsp_types::HoverParams =
            serde_json::from_value(r.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let position = p.text_document_position_params.position;
        self.with_document(&p.text_document_position_params.text_document.uri, |d, open| {
            let buffer = d.buffer();
            let offset = Lines::new(&d.text).offset(position);
            let text = guarded(&buffer, open, None).ok().and_then(|a| features::hover(&buffer, &a, offset));
            let hover = text.map(|value| lsp_types::Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
                range: None,
            });
            serde_json::to_value(hover).unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_larger_than_a_file_check_reads_is_not_analysed() {
        let uri: Uri = "file:///w/xs-security.json".parse().unwrap();
        let text = format!("{{\"xsappname\": \"{}\"}}", "a".repeat(crate::io::load::MAX_FILE_SIZE as usize));
        let path = Some(PathBuf::from("/w/xs-security.json"));
        let kind = analyze::kind_of(path.as_deref(), "xs-security.json");
        let document = Document { uri, version: 1, text, path, name: "xs-security.json".into(), kind };
        let documents: Documents = Arc::default();
        lock(&documents).insert("file:///w/xs-security.json".into(), document);
        let Some(Message::Notification(n)) = lint_current(&documents, "file:///w/xs-security.json") else {
            panic!("no diagnostics published");
        };
        let params: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
        assert_eq!(params.diagnostics.len(), 1, "{:?}", params.diagnostics);
        assert!(params.diagnostics[0].message.starts_with("the buffer is larger than 16 MiB"));
    }
}
