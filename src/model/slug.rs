//! Slugs: the lowercase `[a-z0-9-]` names that become folder names in the output, so they can
//! never escape it.

use std::fmt;

/// A checked slug: 1–100 characters of `[a-z0-9-]`, starting and ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Why a name is not a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlugError {
    pub message: String,
    pub suggestion: String,
}

const MAX_LEN: usize = 100;

impl Slug {
    pub fn parse(text: &str) -> Result<Self, SlugError> {
        let ok_chars = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_ends = !text.starts_with('-') && !text.ends_with('-');
        let reserved = is_reserved(text);
        if !text.is_empty() && text.len() <= MAX_LEN && ok_chars && ok_ends && !reserved {
            Ok(Self(text.to_owned()))
        } else {
            let why = if text.is_empty() {
                "is empty".to_owned()
            } else if text.len() > MAX_LEN {
                format!("is longer than {MAX_LEN} characters")
            } else if reserved {
                "is a name Windows reserves for devices, so the site could not be copied there"
                    .to_owned()
            } else {
                "may only hold a-z, 0-9 and inner hyphens".to_owned()
            };
            Err(SlugError {
                message: format!("\"{text}\" {why}"),
                suggestion: slugify(text),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns a name (`"E3/EU"`, `"United States"`) into a slug (`"e3-eu"`, `"united-states"`).
/// Letters outside ASCII are kept as their lowercase ASCII base where one exists, else dropped;
/// a name with nothing left becomes `"x"` plus its length so it still has a stable folder.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(MAX_LEN);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        format!("x{}", text.chars().count())
    } else if is_reserved(&out) {
        format!("{out}-1")
    } else {
        out
    }
}

/// Folder names Windows refuses (`con`, `nul`, `com1`…), whatever follows a dot.
fn is_reserved(name: &str) -> bool {
    const DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];
    let stem = name.split('.').next().unwrap_or(name);
    DEVICES.contains(&stem)
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

fn fold_accent(c: char) -> char {
    match c {
        'à'..='å' | 'ā' => 'a',
        'ç' | 'č' => 'c',
        'è'..='ë' | 'ē' => 'e',
        'ì'..='ï' | 'ī' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' | 'ō' => 'o',
        'ù'..='ü' | 'ū' => 'u',
        'ş' | 'š' => 's',
        'ğ' => 'g',
        'ı' => 'i',
        'ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_slugs_and_rejects_escapes() {
        assert!(Slug::parse("2025-06-22-us-strikes").is_ok());
        for bad in [
            "",
            "..",
            "a/b",
            "A",
            "-a",
            "a-",
            "a b",
            "con\0",
            &"a".repeat(101),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn slugify_makes_folder_names() {
        assert_eq!(slugify("United States"), "united-states");
        assert_eq!(slugify("E3/EU"), "e3-eu");
        assert_eq!(slugify("  Türkiye  "), "turkiye");
        assert_eq!(slugify("إيران"), "x5");
        assert!(Slug::parse(&slugify("../../etc/passwd")).is_ok());
        assert_eq!(slugify("CON"), "con-1");
        assert_eq!(slugify("Lpt1"), "lpt1-1");
    }

    #[test]
    fn windows_device_names_are_refused() {
        for name in ["con", "nul", "aux", "prn", "com1", "lpt9"] {
            let e = Slug::parse(name).unwrap_err();
            assert!(e.message.contains("Windows reserves"), "{e:?}");
            assert!(
                Slug::parse(&e.suggestion).is_ok(),
                "{name}: {}",
                e.suggestion
            );
        }
        assert!(Slug::parse("console").is_ok() && Slug::parse("com10").is_ok());
    }
}
