//! Standard input and output as a connection of `lsp-server` messages. `lsp-server`'s own stdio
//! transport stops reading at the first message it cannot parse, and a client may send one that
//! serde_json refuses: JavaScript's `JSON.stringify` writes a lone surrogate of a buffer (pasted
//! binary, a half-deleted emoji) as `"\ud800"`, which is not a Unicode scalar value. Here such
//! escapes become U+FFFD, and a message that still does not parse is reported on standard error
//! and skipped; the server reads on.

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// Messages larger than this are skipped (read and dropped): 256 MiB.
const MAX_MESSAGE: usize = 256 << 20;

pub struct Threads {
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    pub fn join(self) -> Result<(), String> {
        let _ = self.reader.join();
        match self.writer.join() {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err("the writer thread panicked".into()),
        }
    }
}

pub fn stdio() -> (Connection, Threads) {
    let (to_client, outgoing): (Sender<Message>, Receiver<Message>) = unbounded();
    let (incoming, from_client) = unbounded();
    let writer = std::thread::spawn(move || {
        let mut stdout = io::stdout().lock();
        for message in outgoing {
            message.write(&mut stdout)?;
            stdout.flush()?;
        }
        Ok(())
    });
    let reader = std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        read_messages(&mut stdin, &incoming);
    });
    (Connection { sender: to_client, receiver: from_client }, Threads { reader, writer })
}

/// Reads until the end of input or the `exit` notification.
pub fn read_messages(input: &mut impl BufRead, incoming: &Sender<Message>) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(e) => {
                eprintln!("xsuaa-lint server: cannot read the client's messages: {e}");
                return;
            }
        };
        let Some(message) = parse(&body) else { continue };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if incoming.send(message).is_err() || exit {
            return;
        }
    }
}

fn parse(body: &[u8]) -> Option<Message> {
    let error = match serde_json::from_slice::<Message>(body) {
        Ok(message) => return Some(message),
        Err(e) => e,
    };
    let text = String::from_utf8_lossy(body);
    if let Ok(message) = serde_json::from_str::<Message>(&without_lone_surrogates(&text)) {
        return Some(message);
    }
    eprintln!("xsuaa-lint server: skipped a message that is not JSON-RPC: {error}");
    None
}

/// One `Content-Length` framed body; `None` at the end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let header = String::from_utf8_lossy(&line);
        let header = header.trim();
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let length = length.unwrap_or_default();
    if length > MAX_MESSAGE {
        eprintln!("xsuaa-lint server: skipped a message of {length} bytes");
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(Vec::new()));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// JSON text with each `\uXXXX` escape of a lone surrogate replaced by `\uFFFD` (pairs are kept).
fn without_lone_surrogates(text: &str) -> String {
    let bytes = text.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        let hex = text.get(at + 2..at + 6)?;
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u')).then_some(())?;
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            let next = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + next]);
            i += next;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => {
                out.push_str(&text[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\uFFFD");
                i += 6;
            }
            // Any other escape (`\\` included) is copied whole, so its second character is
            // never taken for the start of an escape.
            _ => {
                let end = (i + 2).min(bytes.len());
                out.push_str(&text[i..end]);
                i = end;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        assert_eq!(without_lone_surrogates(r#""\ud800x""#), r#""\uFFFDx""#);
        assert_eq!(without_lone_surrogates(r#""\udc00\ud83d\ude00""#), r#""\uFFFD\ud83d\ude00""#);
        assert_eq!(without_lone_surrogates(r#""\\ud800 é""#), r#""\\ud800 é""#);
        assert_eq!(without_lone_surrogates(r#""\ud800"#), r#""\uFFFD"#);
    }

    #[test]
    fn a_bad_message_is_skipped_and_reading_goes_on() {
        let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let input = [
            frame(r#"{"jsonrpc":"2.0","method":"x","params":{"text":"\ud800"}}"#),
            frame("not json"),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"after-exit"}"#),
        ]
        .concat();
        let (sender, receiver) = unbounded();
        read_messages(&mut io::Cursor::new(input.into_bytes()), &sender);
        let methods: Vec<String> = receiver
            .try_iter()
            .map(|m| match m {
                Message::Notification(n) => format!("{} {}", n.method, n.params),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(methods, ["x {\"text\":\"\u{fffd}\"}", "exit null"]);
    }
}
