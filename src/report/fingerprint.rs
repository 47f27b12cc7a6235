//! Stable finding fingerprints, shared by the SARIF and GitLab formats so that code-scanning
//! services can tell a finding that stays from one that is new.
//!
//! A fingerprint is the FNV-1a 64-bit hash of (path, rule code, JSON pointer, n-th occurrence of
//! that triple in the file), as 16 lowercase hex digits. It ignores line and column, so editing
//! an unrelated part of the file keeps it.

use super::FileReport;
use std::collections::HashMap;

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET_BASIS, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

fn hash_fields(fields: &[&[u8]]) -> u64 {
    // Each field is prefixed by its length, so ("ab", "c") and ("a", "bc") differ.
    let mut bytes = Vec::new();
    for field in fields {
        bytes.extend_from_slice(&(field.len() as u64).to_le_bytes());
        bytes.extend_from_slice(field);
    }
    fnv1a64(&bytes)
}

/// One fingerprint per finding of `report`, in the same order.
pub fn of_report(report: &FileReport) -> Vec<String> {
    let mut seen: HashMap<(&str, &str), u64> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let n = seen.entry((d.rule.code, d.pointer.as_str())).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let hash = hash_fields(&[
                report.path.as_bytes(),
                d.rule.code.as_bytes(),
                d.pointer.as_bytes(),
                &occurrence.to_le_bytes(),
            ]);
            format!("{hash:016x}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fields_are_delimited() {
        assert_ne!(hash_fields(&[b"ab", b"c"]), hash_fields(&[b"a", b"bc"]));
    }
}
