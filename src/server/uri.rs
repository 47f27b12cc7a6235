//! `file:` URIs and paths. Other schemes (`untitled:`, a remote file system) have no path: such a
//! buffer is linted by its name alone, with the defaults.

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The path of a `file:` URI, percent-decoded.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority other than none or `localhost` is a network share: not supported.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = decode(rest)?;
    // `file:///C:/x` on Windows.
    let bytes = decoded.as_bytes();
    if cfg!(windows) && bytes.len() >= 3 && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

fn decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// The last segment of a URI, as a file name.
pub fn file_name(uri: &Uri) -> String {
    let text = uri.as_str().split(['?', '#']).next().unwrap_or_default();
    let last = text.rsplit(['/', ':']).next().unwrap_or(text);
    decode(last).unwrap_or_else(|| last.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip_through_paths() {
        let uri = Uri::from_str("file:///tmp/my%20app/xs-security%2Bdev.json").unwrap();
        let path = to_path(&uri).unwrap();
        assert_eq!(path, PathBuf::from("/tmp/my app/xs-security+dev.json"));
        assert_eq!(to_path(&from_path(&path).unwrap()).unwrap(), path);
        assert_eq!(to_path(&Uri::from_str("file://localhost/x/mta.yaml").unwrap()), Some(PathBuf::from("/x/mta.yaml")));
        assert_eq!(to_path(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
        assert_eq!(file_name(&Uri::from_str("untitled:xs-security.json").unwrap()), "xs-security.json");
    }
}
