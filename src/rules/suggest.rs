//! "Did you mean": the closest allowed spelling of a key or value.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub value: String,
    /// Exactly one allowed spelling is this close: a fix may rewrite it.
    pub certain: bool,
}

fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', ' '], "-")
}

/// Longer than any name the schema allows (193 characters) by a margin: no suggestion is
/// computed for such input but an equal spelling, so that the distance (quadratic in the
/// lengths) is never computed on text a file can make megabytes long.
const MAX_SUGGESTED_LEN: usize = 256;

/// The most edits a suggestion may be away from the input.
const MAX_DISTANCE: usize = 2;

pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Suggestion> {
    let wanted = normalize(input);
    let wanted_len = wanted.chars().count();
    let mut best: Option<(usize, &str)> = None;
    let mut ties = 0;
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let normalized = normalize(candidate);
        let distance = if normalized == wanted {
            0
        } else if wanted_len > MAX_SUGGESTED_LEN || wanted_len.abs_diff(normalized.chars().count()) > MAX_DISTANCE {
            // Too long to suggest for, or too many insertions apart: not close, whatever the
            // exact distance.
            usize::MAX
        } else {
            strsim::damerau_levenshtein(&wanted, &normalized)
        };
        match best {
            Some((d, _)) if distance > d => {}
            Some((d, _)) if distance == d => ties += 1,
            _ => {
                best = Some((distance, candidate));
                ties = 0;
            }
        }
    }
    let (distance, value) = best?;
    let len = wanted_len;
    let close_enough = distance == 0 || (distance <= MAX_DISTANCE && distance * 4 <= len);
    if !close_enough {
        return None;
    }
    Some(Suggestion { value: value.to_string(), certain: ties == 0 && (distance == 0 || len >= 6) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 4] = ["credential-types", "token-validity", "redirect-uris", "allowedproviders"];

    #[test]
    fn finds_typos_case_and_separators() {
        let s = closest("credential-type", KEYS).unwrap();
        assert_eq!((s.value.as_str(), s.certain), ("credential-types", true));
        assert_eq!(closest("allowedproviders ", KEYS).unwrap().value, "allowedproviders");
        let s = closest("binding_secret", ["binding-secret", "instance-secret", "x509"]).unwrap();
        assert_eq!((s.value.as_str(), s.certain), ("binding-secret", true));
        assert_eq!(closest("X509", ["binding-secret", "instance-secret", "x509"]).unwrap().value, "x509");
    }

    #[test]
    fn long_input_costs_no_quadratic_distance() {
        // A 64 KiB key against the allowed keys and a name one character shorter: answered at
        // once, and not close.
        let long = "credential-types".repeat(4_096);
        let started = std::time::Instant::now();
        assert_eq!(closest(&long, KEYS), None);
        assert_eq!(closest(&long, [long[1..].to_string().as_str()]), None);
        assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
        // An equal spelling is still found at any length.
        let upper = long.to_uppercase();
        assert_eq!(closest(&upper, [long.as_str()]).map(|s| s.certain), Some(true));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("colour", KEYS), None);
        assert_eq!(closest("abc", ["abd", "abe"]).map(|s| s.certain), None);
    }
}
