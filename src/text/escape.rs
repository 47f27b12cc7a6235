//! Text from a repository, made safe for where it goes: one function per interpreter, used by
//! every writer of that kind (runbook, audit reports, findings). A repository may hold any name,
//! file name or URL, so none of them reaches a shell, a browser, a spreadsheet, a Markdown
//! renderer or a terminal as anything but text.

use std::borrow::Cow;

/// Whether a terminal would act on `c` instead of showing it: C0 controls, DEL, C1 controls,
/// and the bidirectional marks, embeddings, overrides and isolates that reorder what is shown.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn visible(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = if (c as u32) < 0x80 { write!(out, "\\x{:02x}", c as u32) } else { write!(out, "\\u{{{:x}}}", c as u32) };
}

/// One line for a terminal: every control character, newline and tab included, shown as an
/// escape (`\x1b`, `\x0a`, `\u{202e}`), so that nothing written moves the cursor, changes
/// colours, sets a title or reorders the text.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Several lines for a terminal (a file's text, a help text): as [`terminal`], but `\n`, `\t`
/// and the `\r` of a `\r\n` stay, and `map` tells where each byte offset of `s` went, for the
/// spans of a snippet.
pub fn terminal_lines(s: &str) -> (Cow<'_, str>, OffsetMap) {
    let kept = |s: &str, at: usize, c: char| c == '\n' || c == '\t' || (c == '\r' && s[at + 1..].starts_with('\n'));
    if !s.char_indices().any(|(at, c)| is_control(c) && !kept(s, at, c)) {
        return (Cow::Borrowed(s), OffsetMap::default());
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut map = OffsetMap::default();
    for (at, c) in s.char_indices() {
        if is_control(c) && !kept(s, at, c) {
            visible(c, &mut out);
            map.shifts.push((at + c.len_utf8(), out.len() - (at + c.len_utf8())));
        } else {
            out.push(c);
        }
    }
    (Cow::Owned(out), map)
}

/// Where byte offsets of a text moved to in its [`terminal_lines`] form.
#[derive(Debug, Default)]
pub struct OffsetMap {
    /// (offset in the original just after an escaped character, bytes added up to there), ascending.
    shifts: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn map(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|&(at, _)| at <= offset);
        offset + before.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }
}

/// One word for a POSIX shell (sh, bash, zsh, also when pasted interactively): quoted by `shlex`
/// whenever it holds anything but letters, digits and `+-./:@]_`, so it reads back as exactly
/// one word with exactly this text. A placeholder for the reader to replace (`<app>`) is quoted
/// too: pasted unedited it is a name that matches nothing, never a redirection.
pub fn shell_word(s: &str) -> Cow<'_, str> {
    // A NUL byte cannot be passed to a program at all; kept, so that the word is still exact
    // (the terminal and Markdown writers show it as `\x00`).
    shlex::Quoter::new().allow_nul(true).quote(s).unwrap_or(Cow::Borrowed("''"))
}

/// Repository text in a `# comment` of a command: on one line whatever it holds (a newline would
/// end the comment and make the rest a command), quoted like a word so it reads as one.
pub fn shell_comment(s: &str) -> String {
    shell_word(&terminal(s)).into_owned()
}

/// Characters OWASP lists as starting a spreadsheet formula (CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell that no spreadsheet reads as a formula: one starting with `=`, `+`, `-`, `@`, tab
/// or carriage return gets a leading `'`, as OWASP recommends (the CSV quoting itself is the
/// `csv` crate's).
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Text shown in HTML element content: `&`, `<` and `>` escaped by `html-escape`, and control
/// characters and bidirectional overrides shown as escapes as on a terminal (newlines and tabs
/// stay), so no text reorders or hides what is around it.
pub fn html_text(s: &str) -> String {
    html_escape::encode_text(&terminal_lines(s).0).into_owned()
}

/// Data kept exactly in HTML element content (a `textarea` holding a file to save): only `&`,
/// `<` and `>` escaped.
pub fn html_data(s: &str) -> Cow<'_, str> {
    html_escape::encode_text(s)
}

/// JSON inside an HTML `<script type="application/json">` element: `<`, `>` and `&` as JSON
/// escapes, so that no text ends the element or opens a comment (`</script>`, `<!--`), and
/// U+2028 and U+2029 too (line terminators to older JavaScript). Those characters only ever
/// stand inside JSON strings, where the escape reads back as the character.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text in a double-quoted HTML attribute value: quotes escaped too, control characters shown.
pub fn html_attribute(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(&terminal(s)).into_owned()
}

/// A link target a report may carry: an `https`, `http` or `file` URL, or a relative reference
/// (a path). The scheme is read as a browser reads it (the `url` crate follows the WHATWG URL
/// standard: case, spaces and tabs, control characters), so `JavaScript:`, ` javascript:` or
/// `java\tscript:` are refused like `javascript:`. `None` for any other scheme.
pub fn link(s: &str) -> Option<&str> {
    match url::Url::parse(s) {
        Ok(url) => matches!(url.scheme(), "https" | "http" | "file").then_some(s),
        Err(url::ParseError::RelativeUrlWithoutBase) => Some(s),
        Err(_) => None,
    }
}

/// What can start Markdown inline (CommonMark and GitHub's extensions): code, emphasis, links,
/// images, HTML and autolinks, entities, table cells, strikethrough, math, footnotes, and the
/// `:`, `@` and `.` of GitHub's bare URL, e-mail and `www.` links.
const MARKDOWN_INLINE: &[char] =
    &['\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '&', '!', '|', '~', '#', ':', '@', '.', '$', '^'];

/// Inline text in Markdown (never at the start of a line): every character of
/// [`MARKDOWN_INLINE`] backslash-escaped (CommonMark allows it for all ASCII punctuation), so no
/// link, image, HTML, emphasis, autolink, entity or table cell boundary can start; control
/// characters shown as escapes, so the text stays on its line. An `@` is also followed by an
/// empty HTML comment: GitHub finds mentions in the rendered text, after the backslash is gone
/// (github/markup#1168), and the comment, rendered as nothing, breaks `@name` apart.
pub fn markdown_text(s: &str) -> String {
    let s = terminal(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if MARKDOWN_INLINE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push_str(MENTION_BREAK);
        }
    }
    out
}

/// Put after an `@` in Markdown text: an HTML comment, which CommonMark passes through as raw
/// HTML and GitHub renders as nothing, so `@team` shows as written but mentions nobody.
const MENTION_BREAK: &str = "<!-- -->";

/// A Markdown code span holding exactly `s` (control characters shown as escapes): fenced by
/// more backquotes than the longest run inside (CommonMark's rule), with a space inside each
/// fence when the text starts or ends with a backquote or a space (CommonMark strips one).
/// Empty text is no code span: an empty string.
pub fn markdown_code(s: &str) -> String {
    let s = terminal(s);
    if s.is_empty() {
        return String::new();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let all_spaces = s.chars().all(|c| c == ' ');
    let pad = !all_spaces && (s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']));
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{s}{space}{fence}")
}

/// A code span inside a GitHub table cell: a `|` would end the cell even there, so it is
/// escaped (GitHub drops the backslash inside the code span).
pub fn markdown_code_cell(s: &str) -> String {
    markdown_code(s).replace('|', "\\|")
}

/// A fenced code block's fence for `lines`: more backquotes than any run in them (at least three).
pub fn markdown_fence<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let longest = lines.into_iter().flat_map(|l| l.split(|c| c != '`')).map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// A link target in Markdown: an allowed [`link`], with spaces, parentheses, angle brackets,
/// backslashes, backquotes and control characters percent-encoded so the destination ends
/// where it should, and `&` backslash-escaped so no entity is read. `None` for a refused scheme.
pub fn markdown_link(s: &str) -> Option<String> {
    let s = link(s)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_control(c) || matches!(c, ' ' | '(' | ')' | '<' | '>' | '\\' | '`' | '[' | ']' | '"' | '\'') {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else if c == '&' {
            // `&amp;` or `&#0;` would be read as an entity: a backslash keeps the `&` itself (and a
            // query's separators stay separators, as `%26` would not).
            out.push_str("\\&");
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_as_escapes() {
        assert_eq!(terminal("a\x1b[31mb\u{9b}c\u{202e}d\x7f\n"), "a\\x1b[31mb\\u{9b}c\\u{202e}d\\x7f\\x0a");
        assert!(matches!(terminal("plain é"), Cow::Borrowed(_)));
        let (text, map) = terminal_lines("a\x1bb\r\nc\rd\te");
        assert_eq!(text, "a\\x1bb\r\nc\\x0dd\te");
        assert_eq!(map.map(0), 0);
        assert_eq!(map.map(1), 1);
        assert_eq!(map.map(2), 5);
        assert_eq!(map.map(6), 9);
        assert_eq!(map.map(7), 13);
    }

    #[test]
    fn shell_words_are_quoted() {
        assert_eq!(shell_word("uaa-1"), "uaa-1");
        assert_eq!(shell_word("uaa$(touch pwned)"), "'uaa$(touch pwned)'");
        assert_eq!(shell_word("<app>"), "'<app>'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_comment("a\nrm -rf ~"), "\"a\\\\x0arm -rf ~\"");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("a=b"), "a=b");
    }

    #[test]
    fn links_keep_web_and_file_schemes_only() {
        for ok in ["https://github.com/a", "HTTP://x", "file:///w/a.json#L1", "a/b%3A.json#L2", "#L1"] {
            assert_eq!(link(ok), Some(ok), "{ok}");
        }
        for bad in
            ["javascript:alert(1)", "JavaScript:x", " javascript:x", "java\tscript:x", "data:text/html,x", "vbscript:x"]
        {
            assert_eq!(link(bad), None, "{bad}");
        }
        assert_eq!(markdown_link("https://x/a b(c)").as_deref(), Some("https://x/a%20b%28c%29"));
    }

    #[test]
    fn markdown_code_spans_hold_any_backquotes() {
        assert_eq!(markdown_code("a"), "`a`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`a"), "`` `a ``");
        assert_eq!(markdown_code_cell("a|b"), "`a\\|b`");
        assert_eq!(markdown_text("[x](javascript:y)"), "\\[x\\]\\(javascript\\:y\\)");
        assert_eq!(markdown_text("@acme/backend a@b"), "\\@<!-- -->acme/backend a\\@<!-- -->b");
        assert_eq!(markdown_fence(["a ```` b"]), "`````");
    }
}
