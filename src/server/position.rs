//! Positions as the Language Server Protocol counts them: 0-based lines and UTF-16 code units
//! (the protocol's default encoding, the only one every client supports). The core counts byte
//! offsets and Unicode scalar columns; everything here goes through byte offsets, which are
//! exact in both.

use lsp_types::{Position, Range};

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
