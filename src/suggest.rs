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

pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Suggestion> {
    let wanted = normalize(input);
    let mut best: Option<(usize, &str)> = None;
    let mut ties = 0;
    for candidate in candidates {
        if candidate == input {
            continue;
        }
        let distance = if normalize(candidate) == wanted {
            0
        } else {
            strsim::damerau_levenshtein(&wanted, &normalize(candidate))
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
    let len = wanted.chars().count();
    let close_enough = distance == 0 || (distance <= 2 && distance * 4 <= len);
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
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("colour", KEYS), None);
        assert_eq!(closest("abc", ["abd", "abe"]).map(|s| s.certain), None);
    }
}
