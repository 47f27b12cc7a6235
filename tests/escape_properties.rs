//! Property tests of the escaping of repository text (`src/text/escape.rs`), over arbitrary strings
//! rich in what each interpreter acts on, each checked by an independent reader: a shell word
//! splits (`shell-words`) back to the same one word; no CSV cell the audit writes starts a
//! formula; no control character reaches a terminal through the concise or full format; HTML
//! text and attributes tokenize (`html5gum`, the WHATWG tokenizer) back to the same text; Markdown
//! text and code spans parse (`pulldown-cmark`) back to the same text and nothing else.

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag};
use xsuaa_lint::text::escape;

/// Characters that mean something to a shell, a spreadsheet, HTML, Markdown or a terminal.
const HOSTILE: &[char] = &[
    '\0', '\x07', '\x08', '\t', '\n', '\r', '\x1b', '\x7f', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200f}',
    '`', '\'', '"', '$', '(', ')', '{', '}', '<', '>', '&', '|', ';', '!', '#', '*', '?', '~', '=', '+', '@', '-', '[',
    ']', '\\', ' ', ':', '/', '.', '%', '^', '_', 'a', 'Z', '0', 'é', '\u{a0}',
];

fn hostile() -> impl Strategy<Value = String> {
    let char = prop_oneof![3 => prop::sample::select(HOSTILE), 1 => any::<char>()];
    prop::collection::vec(char, 0..40).prop_map(|chars| chars.into_iter().collect())
}

/// What a terminal acts on (C0, DEL, C1) or reorders text by (bidirectional controls), listed
/// here apart from the code under test.
fn acts_on(c: char) -> bool {
    let n = c as u32;
    n < 0x20 || (0x7f..=0x9f).contains(&n) || matches!(n, 0x61c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

fn has_control(s: &str) -> bool {
    s.chars().any(acts_on)
}

/// What an HTML tokenizer reads as the text and the `title` attribute of `html`.
fn html_read(html: &str) -> (String, Option<String>) {
    let mut text = String::new();
    let mut title = None;
    for token in html5gum::Tokenizer::new(html).flatten() {
        match token {
            html5gum::Token::String(s) => text.push_str(&String::from_utf8_lossy(&s)),
            html5gum::Token::StartTag(tag) => {
                title = tag.attributes.get(b"title".as_slice()).map(|v| String::from_utf8_lossy(v).into_owned());
            }
            _ => {}
        }
    }
    (text, title)
}

/// HTML's input preprocessing turns `\r\n` and `\r` into `\n`.
fn newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The inline events of a Markdown text (paragraph and table structure left out).
fn inline_events(markdown: &str) -> Vec<Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
        .filter(|e| {
            !matches!(
                e,
                Event::Start(Tag::Paragraph | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
                    | Event::End(_)
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn a_shell_word_splits_back_to_itself(s in hostile()) {
        let word = escape::shell_word(&s);
        prop_assert_eq!(shell_words::split(&word).unwrap(), vec![s.clone()]);
        let command = format!("cf bind-service {word} {word} && cf restage {word}");
        prop_assert_eq!(
            shell_words::split(&command).unwrap(),
            vec!["cf", "bind-service", &s, &s, "&&", "cf", "restage", &s]
        );
        // In a comment: one line, whatever the text.
        let comment = escape::shell_comment(&s);
        prop_assert!(!comment.contains(['\n', '\r']), "{comment:?}");
    }

    #[test]
    fn no_csv_cell_starts_a_formula(cells in prop::collection::vec(hostile(), 6)) {
        use xsuaa_lint::audit::{AuditInstance, AuditReport, RepositoryAudit};
        let mut instance = AuditInstance::of(xsuaa_lint::engine::inventory::InstanceRecord {
            file: cells[0].clone(),
            line: 1,
            name: cells[1].clone(),
            // Kind and state are the tool's own names; every other cell is the repository's text.
            kind: xsuaa_lint::engine::inventory::InstanceKind::Descriptor,
            plan: cells[3].clone(),
            state: xsuaa_lint::model::descriptor::MigrationState::Dual,
            codes: vec![cells[5].clone()],
            facts: Default::default(),
        });
        instance.owners = vec![cells[5].clone()];
        instance.link = Some(cells[2].clone());
        instance.change = Some(cells[3].clone());
        let report = AuditReport::new(vec![RepositoryAudit {
            path: cells[4].clone(),
            files_checked: 1,
            committed_credentials: 0,
            errors: 0,
            states: Default::default(),
            findings: Default::default(),
            git: None,
            codeowners: None,
            trend: None,
            instances: vec![instance],
        }]);
        let mut out = Vec::new();
        xsuaa_lint::audit::csv::write(&report, &mut out).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(rows.len(), 1);
        for cell in rows[0].iter() {
            prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        }
        // Nothing is lost: the cell is the text, after the `'` when one was added.
        prop_assert_eq!(rows[0][3].strip_prefix('\'').filter(|_| cells[1].starts_with(['=', '+', '-', '@', '\t', '\r'])).unwrap_or(&rows[0][3]), cells[1].as_str());
    }

    #[test]
    fn no_control_character_reaches_a_terminal(path in hostile(), message in hostile(), text in hostile(), at in 0usize..60, len in 0usize..20) {
        use xsuaa_lint::diagnostic::Diagnostic;
        use xsuaa_lint::report::{concise, full, FileReport, Summary};
        use xsuaa_lint::text::source::{Position, SourceFile};
        prop_assert!(!has_control(&escape::terminal(&path)));
        let start = at.min(text.len());
        let start = (0..=start).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let end = (start + len).min(text.len());
        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        let d = Diagnostic::at(
            &xsuaa_lint::rules::xs101_implicit_credential_types::RULE,
            Position { line: 1, column: 1, offset: start },
            Position { line: 1, column: 1, offset: end },
            message.clone(),
        );
        let source = SourceFile::new(path.clone(), text.clone());
        let shown = full::render(&path, Some(&source), std::slice::from_ref(&d), false, false);
        let allowed = |c: char| c == '\n' || c == '\t' || c == '\r';
        prop_assert!(!shown.chars().any(|c| acts_on(c) && !allowed(c)), "{shown:?}");
        // A `\r` only as part of a `\r\n` of the file.
        prop_assert!(!shown.replace("\r\n", "\n").contains('\r'), "{shown:?}");
        let report = FileReport { path: path.clone(), diagnostics: vec![d], ..FileReport::default() };
        let mut out = Vec::new();
        concise::write(std::slice::from_ref(&report), &Summary { quiet: true, ..Summary::default() }, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        prop_assert!(!has_control(out.trim_end_matches('\n')), "{out:?}");
    }

    #[test]
    fn html_text_and_attributes_read_back(s in hostile()) {
        let html = format!("<p title=\"{}\">{}</p>", escape::html_attribute(&s), escape::html_text(&s));
        let (text, title) = html_read(&html);
        let shown = escape::terminal_lines(&s).0;
        prop_assert_eq!(text, newlines(&shown));
        prop_assert_eq!(title.as_deref(), Some(&*escape::terminal(&s)));
        // The saved copy of the CSV keeps the text exactly.
        let (data, _) = html_read(&format!("<textarea>{}</textarea>", escape::html_data(&s)));
        prop_assert_eq!(data, newlines(&s));
    }

    #[test]
    fn markdown_text_is_only_text(s in hostile()) {
        let markdown = format!("x{}x", escape::markdown_text(&s));
        let events = inline_events(&markdown);
        let mut text = String::new();
        let mut breaks = 0;
        for event in &events {
            match event {
                Event::Text(t) => text.push_str(t),
                // The one HTML allowed: the empty comment that keeps `@name` from mentioning.
                Event::InlineHtml(h) if &**h == "<!-- -->" && text.ends_with('@') => breaks += 1,
                other => prop_assert!(false, "{other:?} in {markdown:?}"),
            }
        }
        prop_assert_eq!(breaks, text.matches('@').count(), "an @ without its break in {:?}", markdown);
        prop_assert_eq!(text, format!("x{}x", escape::terminal(&s)));
    }

    #[test]
    fn a_markdown_code_span_holds_the_exact_text(s in hostile()) {
        let shown = escape::terminal(&s);
        prop_assume!(!shown.is_empty());
        let span = escape::markdown_code(&s);
        let events = inline_events(&span);
        prop_assert_eq!(events.len(), 1, "{:?}", span);
        prop_assert!(matches!(&events[0], Event::Code(code) if **code == *shown), "{events:?} of {span:?}");
        // In a table cell too, `|` included.
        let table = format!("| a |\n|---|\n| {} |\n", escape::markdown_code_cell(&s));
        let events = inline_events(&table);
        let codes: Vec<_> = events.iter().filter(|e| matches!(e, Event::Code(_))).collect();
        prop_assert_eq!(codes.len(), 1, "{:?}", table);
        prop_assert!(matches!(codes[0], Event::Code(code) if **code == *shown), "{events:?} of {table:?}");
    }

    #[test]
    fn a_markdown_link_goes_where_it_says(s in hostile()) {
        let url = format!("https://x/{s}");
        let link = escape::markdown_link(&url).unwrap();
        let markdown = format!("[a]({link})");
        let events = inline_events(&markdown);
        let unescaped = link.replace("\\&", "&");
        prop_assert!(
            matches!(&events[0], Event::Start(Tag::Link { dest_url, .. }) if **dest_url == *unescaped),
            "{events:?} of {link:?}"
        );
    }

    /// A link a report may hold never runs script, however its scheme is spelled.
    #[test]
    fn only_web_and_file_links_pass(
        prefix in prop::collection::vec(prop::sample::select(&[' ', '\t', '\n', '\x00', '\x1f'][..]), 0..3),
        scheme in prop::sample::select(&["javascript", "vbscript", "data", "blob", "about"][..]),
        cases in prop::collection::vec(any::<bool>(), 10),
        tab in 0usize..12,
    ) {
        let mut spelled: String = scheme
            .chars()
            .zip(cases.iter().cycle())
            .map(|(c, upper)| if *upper { c.to_ascii_uppercase() } else { c })
            .collect();
        spelled.insert(tab.min(spelled.len()), '\t');
        let link = format!("{}{spelled}:alert(1)", prefix.iter().collect::<String>());
        prop_assert_eq!(escape::link(&link), None, "{:?}", link);
    }
}

/// Found by the property above: `&#0;` in a destination is an entity (U+FFFD) unless escaped.
#[test]
fn an_ampersand_in_a_markdown_link_is_no_entity() {
    for url in ["https://x/&#0;", "https://x/?a=1&amp;b=2", "https://x/&copy"] {
        let link = escape::markdown_link(url).unwrap();
        let markdown = format!("[a]({link})");
        let events = inline_events(&markdown);
        assert!(
            matches!(&events[0], Event::Start(Tag::Link { dest_url, .. }) if **dest_url == *url),
            "{events:?} of {link:?}"
        );
    }
}
