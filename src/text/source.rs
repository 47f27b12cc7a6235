//! The text layer: a loaded source file (its display path, its text and a line index),
//! byte spans and the positions they map to.

/// A byte range in a source file, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A located point: 1-based line and column (column in Unicode scalar values), 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

pub const BOM: &str = "\u{feff}";

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users: relative where possible, with `/`.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// Pure ASCII (the usual case): a column is a byte distance, found without counting.
    ascii: bool,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: String) -> Self {
        let mut line_starts = vec![0];
        // memchr's vectorised search: a line's start is found in a few instructions, where
        // `match_indices` costs some 200 a line (4% of a `check`'s instructions).
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let ascii = text.is_ascii();
        SourceFile { path: path.into(), text, line_starts, ascii }
    }

    /// Length of a leading byte-order mark (0 or 3).
    pub fn bom_len(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let mut start = self.line_starts[line];
        // A BOM is not a column.
        if line == 0 {
            start = start.max(self.bom_len().min(offset));
        }
        let column = if self.ascii {
            offset - start
        } else {
            self.text.get(start..offset).map_or(offset - start, |s| s.chars().count())
        } + 1;
        Position { line: line + 1, column, offset }
    }

    /// The span of the character at `offset` (empty at the end of the text): a one-character
    /// mark that never ends inside a multi-byte character (a YAML key may start with `é`).
    pub fn char_span(&self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        let len = self.text.get(offset..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
        Span::new(offset, offset + len)
    }

    pub fn locate(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }
}

/// Positions for a file whose bytes are not valid UTF-8, counted as [`SourceFile::position`]
/// counts them in text (a BOM is not a column); an invalid sequence before `offset` on its line
/// counts as one column.
pub fn byte_position(bytes: &[u8], offset: usize) -> Position {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if line_start == 0 && before.starts_with(BOM.as_bytes()) {
        line_start = BOM.len();
    }
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Position { line, column, offset }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_unicode_scalars_and_skip_bom() {
        let f = SourceFile::new("x", "\u{feff}{\"é\": 1,\r\n \"b\"}".to_string());
        assert_eq!(f.position(3), Position { line: 1, column: 1, offset: 3 });
        // after `{"é"` the column counts é as one
        let after_key = f.text.find(':').unwrap();
        assert_eq!(f.position(after_key).column, 5);
        let b = f.text.find("\"b\"").unwrap();
        assert_eq!(f.position(b), Position { line: 2, column: 2, offset: b });
    }

    #[test]
    fn char_spans_hold_one_whole_character() {
        let f = SourceFile::new("x", "a\u{e9}\u{1F600}".to_string());
        assert_eq!(f.char_span(0), Span::new(0, 1));
        assert_eq!(f.char_span(1), Span::new(1, 3));
        assert_eq!(f.char_span(3), Span::new(3, 7));
        assert_eq!(f.char_span(7), Span::new(7, 7));
    }

    #[test]
    fn byte_positions_count_columns_as_text_positions_do() {
        let text = "\u{feff}{\"é\": 1,\r\n \"b\"}";
        let f = SourceFile::new("x", text.to_string());
        for offset in [0, 3, 4, 5, 7, 8, text.find("\"b").unwrap()] {
            assert_eq!(byte_position(text.as_bytes(), offset), f.position(offset), "offset {offset}");
        }
        // A BOM is not a column before an invalid byte either.
        assert_eq!(byte_position(b"\xef\xbb\xbf{\"a\xe9", 6), Position { line: 1, column: 4, offset: 6 });
    }
}
