//! Dotenv files (`.env`, `db/.env`, `.env.local`): `KEY=VALUE` lines, as `cds bind` and
//! `cds deploy --to hana` write `VCAP_SERVICES='{...}'`. Read in one pass, with the value's span.
//!
//! The syntax is that of the dotenv family (dotenvy, python-dotenv, Node's `dotenv`): `#`
//! comments, an optional `export `, values unquoted (to the end of the line, a ` #` comment
//! cut), in single quotes (literal, over several lines) or in double quotes (`\"`, `\\`, `\n`
//! escapes, over several lines). Those readers also replace `$NAME` in unquoted and double-quoted
//! values with the process environment; this one never does: a binding secret holds a `$`, and what
//! a file holds must not depend on the environment of the run that reads it.

use crate::text::source::Span;

/// One `KEY=VALUE` assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub key: String,
    /// The value as the program that loads the file gets it.
    pub value: String,
    /// Where the value is written, quotes excluded.
    pub span: Span,
    /// Whether `value` is the text at `span` byte for byte (no escapes were replaced).
    pub exact: bool,
}

/// The file's assignments, in order. A line that is not one (no `=`, a quote never closed) is
/// skipped, as the loaders skip or refuse it; the reading goes on after it.
pub fn assignments(text: &str) -> Vec<Assignment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let line_end = text[at..].find('\n').map_or(bytes.len(), |i| at + i);
        let next = assignment(text, at, line_end);
        match next {
            Some((assignment, end)) => {
                out.push(assignment);
                // Past the value (which may span lines), then to the end of its last line.
                at = text[end..].find('\n').map_or(bytes.len(), |i| end + i + 1);
            }
            None => at = line_end + 1,
        }
    }
    out
}

/// The assignment that starts the line `text[start..line_end]`, and where its value ends.
fn assignment(text: &str, start: usize, line_end: usize) -> Option<(Assignment, usize)> {
    let line = &text[start..line_end];
    let trimmed = line.trim_start();
    let mut at = start + (line.len() - trimmed.len());
    let rest = trimmed.strip_prefix("export ").map(str::trim_start).unwrap_or(trimmed);
    at += trimmed.len() - rest.len();
    let key_len =
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(rest.len());
    let key = &rest[..key_len];
    if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let after_key = &rest[key_len..];
    let equals = after_key.trim_start().strip_prefix('=')?;
    let value_text = equals.trim_start();
    at += key_len + (after_key.len() - value_text.len());
    let quote = value_text.chars().next().filter(|c| matches!(c, '\'' | '"'));
    let (value, span, exact, end) = match quote {
        Some('\'') => {
            let close = text[at + 1..].find('\'')? + at + 1;
            (text[at + 1..close].to_string(), Span::new(at + 1, close), true, close + 1)
        }
        Some(_) => {
            let mut value = String::new();
            let mut exact = true;
            let mut chars = text[at + 1..].char_indices();
            let close = loop {
                let (i, c) = chars.next()?;
                match c {
                    '"' => break at + 1 + i,
                    '\\' => {
                        let (_, escaped) = chars.next()?;
                        exact = false;
                        match escaped {
                            'n' => value.push('\n'),
                            'r' => value.push('\r'),
                            't' => value.push('\t'),
                            '"' | '\\' | '\'' | '$' => value.push(escaped),
                            other => {
                                value.push('\\');
                                value.push(other);
                            }
                        }
                    }
                    c => value.push(c),
                }
            };
            (value, Span::new(at + 1, close), exact, close + 1)
        }
        None => {
            let raw = &text[at..line_end];
            // A comment starts at a `#` after whitespace.
            let cut = raw.find(" #").or_else(|| raw.find("\t#")).unwrap_or(raw.len());
            let value = raw[..cut].trim_end();
            (value.to_string(), Span::new(at, at + value.len()), true, line_end)
        }
    };
    Some((Assignment { key: key.to_string(), value, span, exact }, end))
}

/// Whether a file name is a dotenv file's: `.env`, `.env.local`, `local.env`.
pub fn is_dotenv_name(name: &str) -> bool {
    let lower = name.as_bytes();
    let ends = lower.len() >= 4 && lower[lower.len() - 4..].eq_ignore_ascii_case(b".env");
    name.eq_ignore_ascii_case(".env") || (lower.len() > 5 && lower[..5].eq_ignore_ascii_case(b".env.")) || ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, String, String, bool)> {
        assignments(text)
            .into_iter()
            .map(|a| (a.key, a.value, text[a.span.start..a.span.end].to_string(), a.exact))
            .collect()
    }

    #[test]
    fn values_are_read_with_their_spans() {
        let text = "# comment\nexport A=1 # note\nB = 'x\ny'\nC=\"q\\\"r\"\r\n\nnot a line\n9X=1\nD='never closed\n";
        let got = read(text);
        assert_eq!(
            got,
            vec![
                ("A".into(), "1".into(), "1".into(), true),
                ("B".into(), "x\ny".into(), "x\ny".into(), true),
                ("C".into(), "q\"r".into(), "q\\\"r".into(), false),
            ]
        );
    }

    #[test]
    fn dollar_signs_stay() {
        let got = read("S=\"8c90$abc\"\nT=a$b\n");
        assert_eq!(got[0].1, "8c90$abc");
        assert_eq!(got[1].1, "a$b");
    }

    #[test]
    fn names() {
        for name in [".env", ".env.local", "local.env", ".ENV"] {
            assert!(is_dotenv_name(name), "{name}");
        }
        for name in ["env", ".envrc", "environment.json", "x.env.json"] {
            assert!(!is_dotenv_name(name), "{name}");
        }
    }
}
