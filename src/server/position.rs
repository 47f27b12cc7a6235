//! Positions as the Language Server Protocol counts them: 0-based lines and UTF-16 code units
//! (the protocol's default encoding, the only one every client supports). The core counts byte
//! offsets and Unicode scalar columns; everything here goes through byte offsets, which are
//! exact in both.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
use ropey::Rope;

/// Where each line of a text starts, in bytes.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The protocol position of a byte offset (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range { start: self.position(start), end: self.position(end) }
    }

    /// The byte offset of a protocol position. A column past the end of its line means the end
    /// of the line (as the protocol says); a line past the end, the end of the text; a column
    /// inside a surrogate pair, the character's start.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let end = self.starts.get(position.line as usize + 1).map_or(self.text.len(), |&e| e);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        let mut units = 0;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > position.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    /// The end of the text.
    pub fn end(&self) -> Position {
        self.position(self.text.len())
    }
}

/// The text after the changes of one `didChange`, applied in order, each to the text the ones
/// before it left. Ranged changes go through a rope: each costs O(log n) plus its own length, so
/// a message of thousands of edits costs time in proportion to the message and the text, where
/// rebuilding the line index and shifting the text per edit cost their product.
pub fn apply_changes(mut text: String, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    let mut rope: Option<Rope> = None;
    for change in changes {
        match change.range {
            None => {
                rope = None;
                text = change.text;
            }
            Some(range) => {
                let rope = rope.get_or_insert_with(|| Rope::from_str(&text));
                let start = char_at(rope, range.start);
                let end = char_at(rope, range.end).max(start);
                rope.remove(start..end);
                rope.insert(start, &change.text);
            }
        }
    }
    rope.map_or(text, String::from)
}

/// The char index of a protocol position in a rope, read as [`Lines::offset`] reads it.
fn char_at(rope: &Rope, position: Position) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let mut end = if line + 1 < rope.len_lines() { rope.line_to_char(line + 1) } else { rope.len_chars() };
    // The line without its `\n` or `\r\n`.
    if end > start && rope.char(end - 1) == '\n' {
        end -= 1;
        if end > start && rope.char(end - 1) == '\r' {
            end -= 1;
        }
    }
    let target = rope.char_to_utf16_cu(start).saturating_add(position.character as usize);
    if target >= rope.char_to_utf16_cu(end) {
        return end;
    }
    // Inside a surrogate pair: the char that holds it.
    rope.utf16_cu_to_char(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_utf16_units_not_bytes_nor_scalars() {
        // é: 2 bytes, 1 unit; 😀: 4 bytes, 2 units (a surrogate pair); 中: 3 bytes, 1 unit.
        let text = "{\"é😀中\": [\"x\"]}\r\n  \"b\"";
        let lines = Lines::new(text);
        let x = text.find("\"x\"").unwrap();
        assert_eq!(lines.position(x), p(0, 10));
        assert_eq!(lines.offset(p(0, 10)), x);
        let b = text.find("\"b\"").unwrap();
        assert_eq!(lines.position(b), p(1, 2));
        assert_eq!(lines.offset(p(1, 2)), b);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(lines.offset(p(0, 4)), text.find('😀').unwrap());
        // Past the end of the line: before its CRLF; past the last line: the end.
        assert_eq!(lines.offset(p(0, 99)), text.find('\r').unwrap());
        assert_eq!(lines.offset(p(9, 0)), text.len());
        assert_eq!(lines.end(), p(1, 5));
    }

    /// The changes applied one by one as the server did before: a line index per change.
    fn one_by_one(mut text: String, changes: &[TextDocumentContentChangeEvent]) -> String {
        for change in changes {
            match change.range {
                None => text = change.text.clone(),
                Some(range) => {
                    let lines = Lines::new(&text);
                    let (start, end) = (lines.offset(range.start), lines.offset(range.end));
                    text.replace_range(start..end.max(start), &change.text);
                }
            }
        }
        text
    }

    fn edit(start: Position, end: Position, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent { range: Some(Range { start, end }), range_length: None, text: text.into() }
    }

    proptest::proptest! {
        #[test]
        fn changes_apply_as_one_by_one(
            text in "[a\u{e9}\u{1f600}\r\n]{0,40}",
            edits in proptest::collection::vec((0u32..6, 0u32..8, 0u32..6, 0u32..8, "[b\u{1f600}\r\n]{0,4}", 0u8..10), 0..12),
        ) {
            let changes: Vec<TextDocumentContentChangeEvent> = edits
                .iter()
                .map(|(l1, c1, l2, c2, t, whole)| {
                    if *whole == 0 {
                        TextDocumentContentChangeEvent { range: None, range_length: None, text: t.clone() }
                    } else {
                        edit(p(*l1, *c1), p(*l2, *c2), t)
                    }
                })
                .collect();
            proptest::prop_assert_eq!(apply_changes(text.clone(), changes.clone()), one_by_one(text, &changes));
        }
    }

    #[test]
    fn many_edits_in_one_change_cost_time_in_proportion_to_the_message() {
        // n lines, and one edit per line from the last up (as an editor sends a multi-cursor
        // change): each edit rebuilt the line index and shifted the text after it.
        let run = |n: usize| {
            let text = "0123456789\n".repeat(n);
            let changes: Vec<_> = (0..n as u32).rev().map(|l| edit(p(l, 2), p(l, 4), "ab")).collect();
            let started = std::time::Instant::now();
            let out = apply_changes(text, changes);
            assert_eq!(out.len(), 11 * n);
            started.elapsed()
        };
        run(2_000);
        let best = |n: usize| (0..3).map(|_| run(n)).min().unwrap_or_default();
        let (small, large) = (best(2_000), best(16_000));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        eprintln!("didChange: 2,000 edits {small:?}, 16,000 edits {large:?}: ratio {ratio:.1}");
        // O(log n) an edit: 8 times the edits cost about 10 times the time; quadratic, 64 times.
        assert!(ratio < 20.0, "2,000 edits {small:?}, 16,000 edits {large:?}: ratio {ratio:.1}");
    }

    #[test]
    fn every_boundary_round_trips() {
        let text = "\u{feff}a\u{e9}\n\u{1f600}b\n\n\u{4e2d}";
        let lines = Lines::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(lines.offset(lines.position(offset)), offset, "offset {offset}");
        }
        // A BOM in the buffer is a character to the protocol.
        assert_eq!(lines.position(3), p(0, 1));
    }
}
