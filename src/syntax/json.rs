//! Strict JSON (RFC 8259) parsing into a tree that keeps the byte span of every key and value.
//!
//! `jsonc-parser` does the parsing with every leniency switched off; the few things it still
//! accepts that RFC 8259 does not (extra whitespace characters, leading zeros, raw control
//! characters in strings) are rejected here from its token stream. The one thing it rejects
//! that RFC 8259 allows, an escaped lone surrogate (`"\ud800"`, section 8.2), is accepted: the
//! string holds U+FFFD, the replacement character, in its place.

use crate::text::source::Span;
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Why a text is not strict JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The member named `key`; when a key repeats, the last one wins, as in SAP's parser.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// The node at an RFC 6901 pointer, with last-wins semantics for repeated keys.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer_tokens(pointer)? {
            node = match &node.value {
                Value::Object(_) => node.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The value as `serde_json`, for schema validation (repeated keys: the last wins).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(raw) => {
                raw.parse::<serde_json::Number>().map(J::Number).unwrap_or_else(|_| J::String(raw.clone()))
            }
            Value::String(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::with_capacity(members.len());
                for m in members {
                    map.insert(m.key.clone(), m.value.to_json());
                }
                J::Object(map)
            }
        }
    }

    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Splits an RFC 6901 pointer into unescaped reference tokens.
pub fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    // Most tokens hold no escape: copied once rather than through two replacements.
    let unescape = |t: &str| if t.contains('~') { t.replace("~1", "/").replace("~0", "~") } else { t.to_string() };
    Some(rest.split('/').map(unescape).collect())
}

/// Appends one reference token to a pointer, escaping `~` and `/`.
pub fn pointer_push(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses `text[offset..]` as one strict JSON value; spans are offsets into `text`.
/// `offset` skips a byte-order mark.
pub fn parse(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    // The usual file, strict JSON, is read in one pass; anything else (an error to place, a
    // rarity) by jsonc-parser, whose tree and tokens cost twice as much.
    match plain::parse(&replace_lone_surrogates(&text[offset..]), offset) {
        Some(node) => Ok(node),
        None => parse_with_jsonc(text, offset),
    }
}

/// [`parse`] by jsonc-parser, its tree converted and its tokens checked against RFC 8259.
fn parse_with_jsonc(text: &str, offset: usize) -> Result<Node, SyntaxError> {
    let body = &*replace_lone_surrogates(&text[offset..]);
    let collect = CollectOptions { comments: CommentCollectionStrategy::Off, tokens: true };
    let result = jsonc_parser::parse_to_ast(body, &collect, &strict_options()).map_err(|e| {
        let r = e.range();
        let line_start = body[..r.start.min(body.len())].rfind('\n').map_or(0, |i| i + 1);
        let conflict = ["<<<<<<<", "=======", ">>>>>>>"].iter().any(|m| body[line_start..].starts_with(m));
        SyntaxError {
            span: Span::new(r.start + offset, r.end.max(r.start) + offset),
            message: if conflict { "unresolved merge-conflict marker".into() } else { describe_error(e.kind()) },
        }
    })?;
    let tokens = result.tokens.unwrap_or_default();
    check_tokens(body, &tokens).map_err(|mut e| {
        e.span = Span::new(e.span.start + offset, e.span.end + offset);
        e
    })?;
    match result.value {
        Some(value) => Ok(convert(&value, offset)),
        None => Err(SyntaxError {
            span: Span::new(text.len(), text.len()),
            message: "the file holds no JSON value (it is empty or only whitespace)".into(),
        }),
    }
}

/// The four hex digits after `\u` at `at` (the backslash), as a code unit.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at + 2..at + 6)?;
    if bytes.get(at + 1) != Some(&b'u') || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// `text` with each escaped lone surrogate (`\uD800`-`\uDFFF` not in a high-low pair) written
/// `\uFFFD` instead: the same length, so every span stays the same. Escapes are read in pairs
/// from each backslash on; a backslash outside a string is a syntax error at the same place
/// either way.
fn replace_lone_surrogates(text: &str) -> std::borrow::Cow<'_, str> {
    if !(text.contains("\\ud") || text.contains("\\uD")) {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escaped_unit(bytes, i) else {
            i += 2; // a two-character escape (or an invalid one, reported by the parser)
            continue;
        };
        let low_follows = escaped_unit(bytes, i + 6).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u));
        match unit {
            0xD800..=0xDBFF if low_follows => i += 12,
            0xD800..=0xDFFF => {
                out.get_or_insert_with(|| bytes.to_vec())[i + 2..i + 6].copy_from_slice(b"FFFD");
                i += 6;
            }
            _ => i += 6,
        }
    }
    match out {
        // Only ASCII hex digits were replaced by ASCII: still UTF-8.
        Some(bytes) => std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())),
        None => std::borrow::Cow::Borrowed(text),
    }
}

fn describe_error(kind: &jsonc_parser::errors::ParseErrorKind) -> String {
    use jsonc_parser::errors::ParseErrorKind as K;
    match kind {
        K::CommentsNotAllowed => "comments are not allowed in JSON".into(),
        K::TrailingCommasNotAllowed => "trailing commas are not allowed in JSON".into(),
        K::SingleQuotedStringsNotAllowed => "strings must use double quotes".into(),
        K::ExpectedStringObjectProperty => "object keys must be double-quoted strings".into(),
        K::NestingDepthExceeded => "the value is nested too deeply (more than 512 levels)".into(),
        K::ExpectedComma => "expected a comma".into(),
        K::MultipleRootJsonValues => "unexpected text after the JSON value".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

/// Rejects what RFC 8259 forbids but the parser lets through.
fn check_tokens(body: &str, tokens: &[jsonc_parser::tokens::TokenAndRange<'_>]) -> Result<(), SyntaxError> {
    use jsonc_parser::tokens::Token;
    let bytes = body.as_bytes();
    let mut previous_end = 0;
    let check_gap = |from: usize, to: usize| -> Result<(), SyntaxError> {
        if let Some(i) = bytes[from..to].iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            let at = from + i;
            let ch = body[at..].chars().next().unwrap_or(' ');
            return Err(SyntaxError {
                span: Span::new(at, at + ch.len_utf8()),
                message: format!("{} is not JSON whitespace", describe_char(ch)),
            });
        }
        Ok(())
    };
    for t in tokens {
        check_gap(previous_end, t.range.start)?;
        previous_end = t.range.end;
        match &t.token {
            Token::Number(raw) if !is_json_number(raw) => {
                return Err(SyntaxError {
                    span: Span::new(t.range.start, t.range.end),
                    message: format!("`{raw}` is not a JSON number (no leading zeros, digits on both sides of '.')"),
                })
            }
            Token::String(_) => {
                let raw = &bytes[t.range.start..t.range.end];
                if let Some(i) = raw.iter().position(|&b| b < 0x20) {
                    let at = t.range.start + i;
                    return Err(SyntaxError {
                        span: Span::new(at, at + 1),
                        message: format!("{} must be escaped inside a string", describe_char(char::from(raw[i]))),
                    });
                }
            }
            _ => {}
        }
    }
    check_gap(previous_end, bytes.len())
}

fn describe_char(ch: char) -> String {
    format!("the character U+{:04X}", ch as u32)
}

fn is_json_number(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let digits = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    i == b.len()
}

fn span_of(r: &impl Ranged, offset: usize) -> Span {
    let r = r.range();
    Span::new(r.start + offset, r.end + offset)
}

fn convert(value: &ast::Value<'_>, offset: usize) -> Node {
    let (span, value) = match value {
        ast::Value::NullKeyword(n) => (span_of(n, offset), Value::Null),
        ast::Value::BooleanLit(b) => (span_of(b, offset), Value::Bool(b.value)),
        ast::Value::NumberLit(n) => (span_of(n, offset), Value::Number(n.value.to_string())),
        ast::Value::StringLit(s) => (span_of(s, offset), Value::String(s.value.to_string())),
        ast::Value::Array(a) => {
            (span_of(a, offset), Value::Array(a.elements.iter().map(|e| convert(e, offset)).collect()))
        }
        ast::Value::Object(o) => (
            span_of(o, offset),
            Value::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let (key, key_span) = match &p.name {
                            ast::ObjectPropName::String(s) => (s.value.to_string(), span_of(s, offset)),
                            ast::ObjectPropName::Word(w) => (w.value.to_string(), span_of(w, offset)),
                        };
                        Member { key, key_span, value: convert(&p.value, offset) }
                    })
                    .collect(),
            ),
        ),
    };
    Node { span, value }
}

/// Strict JSON read straight into [`Node`]s, in one pass over jsonc-parser's scanner: the crate
/// reads strings, escapes and numbers, this module only nests the tokens and makes the checks
/// of [`check_tokens`]. It accepts only what jsonc-parser and [`check_tokens`] accept, and gives
/// the same tree; it gives up (`None`) on anything else, which [`parse_with_jsonc`] then reads
/// and, for an error, places and describes.
mod plain {
    use super::{is_json_number, Member, Node, Span, Value};
    use jsonc_parser::tokens::Token;
    use jsonc_parser::{Scanner, ScannerOptions};

    /// Well below jsonc-parser's limit (512): deeper texts are left to it.
    const MAX_DEPTH: usize = 128;

    pub(super) fn parse(body: &str, offset: usize) -> Option<Node> {
        let strict = ScannerOptions {
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let bytes = body.as_bytes();
        // Between tokens the scanner also skips U+000B, U+000C and Unicode's spaces, which RFC
        // 8259 does not allow. The first two are strict JSON nowhere (in a string they are raw
        // control characters); the others are not ASCII, so in an ASCII text, the usual one,
        // what lies between tokens needs no second look.
        if memchr::memchr2(0x0B, 0x0C, bytes).is_some() {
            return None;
        }
        let scanner = Scanner::new(body, &strict);
        let mut reader = Reader { scanner, bytes, check_gaps: !body.is_ascii(), previous_end: 0, offset };
        let first = reader.next()?;
        let node = reader.value(first, 0)?;
        reader.at_end().then_some(node)
    }

    struct Reader<'a> {
        scanner: Scanner<'a>,
        bytes: &'a [u8],
        check_gaps: bool,
        /// Where the last token ended: what lies between it and the next must be JSON whitespace.
        previous_end: usize,
        offset: usize,
    }

    fn is_json_whitespace(gap: &[u8]) -> bool {
        gap.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    }

    impl<'a> Reader<'a> {
        /// The next token, when it is one of strict JSON's after strict JSON whitespace: not a
        /// comment, not a word, not a string holding a raw control character (RFC 8259 forbids
        /// it, the scanner does not); `None` also at the end of the text and on a scanner error.
        #[inline(always)]
        fn next(&mut self) -> Option<Token<'a>> {
            let token = self.scanner.scan().ok()??;
            let (start, end) = (self.scanner.token_start(), self.scanner.token_end());
            if self.check_gaps && !is_json_whitespace(&self.bytes[self.previous_end..start]) {
                return None;
            }
            self.previous_end = end;
            match token {
                Token::String(_) if self.bytes[start..end].iter().any(|&b| b < 0x20) => None,
                Token::Word(_) | Token::CommentLine(_) | Token::CommentBlock(_) => None,
                _ => Some(token),
            }
        }

        /// Nothing but JSON whitespace after the value.
        fn at_end(&mut self) -> bool {
            let gap = &self.bytes[self.previous_end..];
            matches!(self.scanner.scan(), Ok(None)) && (!self.check_gaps || is_json_whitespace(gap))
        }

        fn token_span(&self, start: usize) -> Span {
            Span::new(start + self.offset, self.scanner.token_end() + self.offset)
        }

        /// The value that starts with `token`, read to its last token.
        fn value(&mut self, token: Token<'a>, depth: usize) -> Option<Node> {
            let start = self.scanner.token_start();
            let value = match token {
                Token::OpenBrace if depth < MAX_DEPTH => self.object(depth + 1)?,
                Token::OpenBracket if depth < MAX_DEPTH => self.array(depth + 1)?,
                Token::String(s) => Value::String(s.into_owned()),
                Token::Boolean(b) => Value::Bool(b),
                Token::Null => Value::Null,
                // The strict scanner reads only JSON numbers; checked again, as `check_tokens` does.
                Token::Number(raw) if is_json_number(raw) => Value::Number(raw.to_string()),
                _ => return None,
            };
            Some(Node { span: self.token_span(start), value })
        }

        fn array(&mut self, depth: usize) -> Option<Value> {
            let mut items = Vec::new();
            let mut token = self.next()?;
            if matches!(token, Token::CloseBracket) {
                return Some(Value::Array(items));
            }
            loop {
                items.push(self.value(token, depth)?);
                match self.next()? {
                    Token::CloseBracket => return Some(Value::Array(items)),
                    Token::Comma => token = self.next()?,
                    _ => return None,
                }
            }
        }

        fn object(&mut self, depth: usize) -> Option<Value> {
            let mut members = Vec::new();
            let mut token = self.next()?;
            if matches!(token, Token::CloseBrace) {
                return Some(Value::Object(members));
            }
            loop {
                let Token::String(key) = token else {
                    return None;
                };
                let key_span = self.token_span(self.scanner.token_start());
                if !matches!(self.next()?, Token::Colon) {
                    return None;
                }
                let first = self.next()?;
                let value = self.value(first, depth)?;
                members.push(Member { key: key.into_owned(), key_span, value });
                match self.next()? {
                    Token::CloseBrace => return Some(Value::Object(members)),
                    Token::Comma => token = self.next()?,
                    _ => return None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SyntaxError {
        parse(text, 0).expect_err(text)
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = r#"{ "a": [1, "x"], "b": {"c": null} }"#;
        let root = parse(text, 0).unwrap();
        let a = root.member("a").unwrap();
        assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
        assert_eq!(&text[a.value.span.start..a.value.span.end], "[1, \"x\"]");
        let c = root.pointer("/b/c").unwrap();
        assert_eq!(&text[c.span.start..c.span.end], "null");
        assert_eq!(root.pointer("/a/1").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn repeated_keys_last_wins() {
        let root = parse(r#"{"a": 1, "a": 2}"#, 0).unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Number("2".into()));
        assert_eq!(root.to_json(), serde_json::json!({"a": 2}));
    }

    #[test]
    fn rejects_what_rfc8259_rejects() {
        let mut wrong = Vec::new();
        for (text, at) in [
            ("{\"a\": 1,}", 7),
            ("{\"a\": 1 // c\n}", 8),
            ("{'a': 1}", 1),
            ("{\"a\": 01}", 7),
            ("{\"a\": .5}", 6),
            ("{\"a\": +1}", 6),
            ("{\"a\": \"x\ty\"}", 8),
            ("{\"a\":\u{0b}1}", 5),
            ("{\"a\": 1}\u{a0}", 8),
            ("{a: 1}", 1),
            ("{\"a\": 1", 0),
            ("{\"a\": 1} {}", 9),
            ("{\"a\": NaN}", 6),
            ("", 0),
        ] {
            let e = err(text);
            if e.span.start != at {
                wrong.push(format!("{text:?}: expected {at}, got {e:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    const PARTS: &[&str] = &[
        "1",
        "-0.5e+3",
        "1E5",
        "01",
        "1.",
        ".5",
        "+1",
        "-",
        "1e",
        "\"x\"",
        "\"é\\u00e9\"",
        "\"a\\\"b\"",
        "\"x\ty\"",
        "\"\\\u{1}\"",
        "true",
        "null",
        "nul",
        "[]",
        "{}",
        "{\"k\": 1}",
        "{\"k\" : [true]}",
        " \n\t",
        "\u{b}1",
        "1\u{a0}",
        "// c",
        "/* c */",
        "'x'",
        "\"open",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\u00\"",
        "\"\\x\"",
        "\"\\/\\b\\f\\r\\t\"",
        "-0",
        "0.0e-0",
        "1e400",
        "[[[]]]",
        "{\"\": {\"k\": null}}",
        "\"a\nb\"",
        // What the scanner reads only when a leniency is on, or reads as a word or a space.
        "0x1F",
        "Infinity",
        "-Infinity",
        "NaN",
        "true_",
        "\"\\x41\"",
        "\"\\'\"",
        "\"\\v\"",
        "\u{c}1",
        "1\u{2028}",
    ];

    proptest::proptest! {
        /// The one-pass reader agrees with jsonc-parser and the token checks: texts made of
        /// JSON's characters and of those it forbids give the same tree or the same error.
        #[test]
        fn the_one_pass_reader_agrees_with_jsonc_parser(
            text in r#"[ {}\[\]:,'"\\/\-0-9.eE+aeflnrstuxIN_\t\n\r\x0b\x0c\x01\x7fé\u{a0}]{0,48}"#,
            parts in proptest::collection::vec(proptest::sample::select(PARTS), 0..12),
        ) {
            // Characters at random (mostly broken JSON), and values with the odd wrong part.
            let values = format!("{{\"a\": [{}]}}", parts.join(", "));
            for text in [text, values] {
                proptest::prop_assert_eq!(parse(&text, 0), parse_with_jsonc(&text, 0));
            }
        }
    }

    #[test]
    fn the_one_pass_reader_leaves_errors_and_rarities_to_jsonc_parser() {
        let usual =
            "\u{feff}{\"a\": [-0.5e+3, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"], \"b\": {}, \"a\": []}\n";
        let read = plain::parse(&usual[3..], 3);
        assert!(read.is_some());
        assert_eq!(read.map(Ok), Some(parse_with_jsonc(usual, 3)));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(plain::parse(&deep, 0).is_none() && parse(&deep, 0).is_ok());
        for text in [
            "{\"a\": 01}",
            "{\"a\":\u{0b}1}",
            "{\"a\": \"x\ty\"}",
            "[1] // c",
            "[1]\u{a0}",
            "[truex]",
            "{\"a\" 1}",
            "[1,]",
            "[true_]",
            "[0x1F]",
            "[-Infinity]",
            "[\"\\x41\"]",
            "[1]\u{c}",
            "",
        ] {
            assert!(plain::parse(text, 0).is_none(), "{text:?}");
            assert!(parse(text, 0).is_err(), "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let e = err(&text);
        assert!(e.message.contains("nested too deeply"), "{e:?}");
    }

    #[test]
    fn accepts_strict_json() {
        let root = parse("\u{feff}{\"a\": [-0.5e+3, true, false, null, \"\\u00e9\\n\"]}", 3).unwrap();
        assert_eq!(root.span.start, 3);
        assert_eq!(root.pointer("/a/4").unwrap().as_str(), Some("é\n"));
    }

    #[test]
    fn lone_surrogate_escapes_are_valid_json() {
        let text = r#"{"a": "\ud800", "b": "\ud83d\ude00", "c": "x\uDC00y\uD800\uD83D\uDE00", "d": "\\ud800", "e": 1}"#;
        let root = parse(text, 0).unwrap();
        assert_eq!(root.get("a").and_then(Node::as_str), Some("\u{fffd}"));
        assert_eq!(root.get("b").and_then(Node::as_str), Some("😀"));
        assert_eq!(root.get("c").and_then(Node::as_str), Some("x\u{fffd}y\u{fffd}😀"));
        assert_eq!(root.get("d").and_then(Node::as_str), Some("\\ud800"));
        // Spans are those of the text as written.
        let e = root.get("e").unwrap();
        assert_eq!(&text[e.span.start..e.span.end], "1");
        // Still errors: a bad escape, and a surrogate escape outside a string.
        assert!(parse(r#"{"a": "\ud80"}"#, 0).is_err());
        assert_eq!(err(r#"{"a": \ud800}"#).span.start, 6);
    }

    #[test]
    fn pointers_escape_and_unescape() {
        assert_eq!(pointer_push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(pointer_tokens("/a~1b~0c").unwrap(), vec!["a/b~c".to_string()]);
        assert_eq!(pointer_tokens("/scopes/0/b~01").unwrap(), ["scopes", "0", "b~1"]);
        assert_eq!(pointer_tokens("").unwrap(), Vec::<String>::new());
        assert_eq!(pointer_tokens("a"), None);
    }
}
