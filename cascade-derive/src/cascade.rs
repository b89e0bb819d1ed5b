//! The cascade words of `#[relationship(cascade = "...")]`, driven by one table (as serde's
//! `case.rs` is for `rename_all`).

use std::fmt;

use crate::suggest;

/// A set of cascade flags. The bits are those of `cascade_runtime::CascadeSet`, but the
/// generated code never writes bits: it names the runtime's constants (see [`Cascade::terms`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Cascade(u8);

impl Cascade {
    pub const NONE: Cascade = Cascade(0);
    pub const SAVE_UPDATE: Cascade = Cascade(1);
    pub const MERGE: Cascade = Cascade(1 << 1);
    pub const EXPUNGE: Cascade = Cascade(1 << 2);
    pub const DELETE: Cascade = Cascade(1 << 3);
    pub const DELETE_ORPHAN: Cascade = Cascade(1 << 4);
    pub const REFRESH_EXPIRE: Cascade = Cascade(1 << 5);
    /// `all`: save-update, merge, refresh-expire, expunge, delete.
    pub const ALL: Cascade = Cascade(1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 5);
    /// No `cascade` option: save-update, merge (SQLAlchemy's default).
    pub const DEFAULT: Cascade = Cascade(1 | 1 << 1);

    pub const fn contains(self, other: Cascade) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn union(self, other: Cascade) -> Cascade {
        Cascade(self.0 | other.0)
    }

    /// The names of the runtime's `CascadeSet` constants whose union is this set, in the
    /// order the generated code writes them: `["DEFAULT"]`, `["ALL", "DELETE_ORPHAN"]`,
    /// `["SAVE_UPDATE", "DELETE"]`, `["NONE"]`.
    pub fn terms(self) -> Vec<&'static str> {
        for (set, name) in [(Cascade::NONE, "NONE"), (Cascade::DEFAULT, "DEFAULT")] {
            if self == set {
                return vec![name];
            }
        }
        let (mut terms, rest) = if self.contains(Cascade::ALL) {
            (vec!["ALL"], Cascade(self.0 & !Cascade::ALL.0))
        } else {
            (Vec::new(), self)
        };
        terms.extend(
            FLAGS
                .iter()
                .filter(|(flag, _)| rest.contains(*flag))
                .map(|&(_, name)| name),
        );
        terms
    }
}

impl fmt::Debug for Cascade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cascade({})", self.terms().join(" | "))
    }
}

/// Every word `cascade = "..."` accepts, with the flags it stands for.
const WORDS: &[(&str, Cascade)] = &[
    ("save-update", Cascade::SAVE_UPDATE),
    ("merge", Cascade::MERGE),
    ("expunge", Cascade::EXPUNGE),
    ("delete", Cascade::DELETE),
    ("delete-orphan", Cascade::DELETE_ORPHAN),
    ("refresh-expire", Cascade::REFRESH_EXPIRE),
    ("all", Cascade::ALL),
    ("none", Cascade::NONE),
];

/// The single flags and the names of their `cascade_runtime::CascadeSet` constants.
const FLAGS: &[(Cascade, &str)] = &[
    (Cascade::SAVE_UPDATE, "SAVE_UPDATE"),
    (Cascade::MERGE, "MERGE"),
    (Cascade::EXPUNGE, "EXPUNGE"),
    (Cascade::DELETE, "DELETE"),
    (Cascade::DELETE_ORPHAN, "DELETE_ORPHAN"),
    (Cascade::REFRESH_EXPIRE, "REFRESH_EXPIRE"),
];

/// What is wrong with a `cascade = "..."` string.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `cascade = ""` (or only whitespace).
    Empty,
    /// `cascade = "delete,,merge"` or a trailing comma.
    EmptyWord,
    /// A word not in the table, with the nearest valid word when there is one.
    Unknown {
        word: String,
        suggestion: Option<&'static str>,
    },
    /// `none` next to another word.
    NoneMixed,
    /// The same word twice.
    Duplicate { word: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => {
                write!(
                    f,
                    "empty cascade: {}; write \"none\" for no cascade",
                    expected()
                )
            }
            ParseError::EmptyWord => {
                write!(
                    f,
                    "empty word in the cascade list (a stray comma?): {}",
                    expected()
                )
            }
            ParseError::Unknown {
                word,
                suggestion: Some(suggestion),
            } => write!(
                f,
                "unknown cascade word `{word}`: did you mean `{suggestion}`? {}",
                expected()
            ),
            ParseError::Unknown {
                word,
                suggestion: None,
            } => {
                write!(f, "unknown cascade word `{word}`: {}", expected())
            }
            ParseError::NoneMixed => f.write_str(
                "`none` cannot be combined with other cascade words: write `cascade = \"none\"` \
                 alone, or list the words you want",
            ),
            ParseError::Duplicate { word } => {
                write!(f, "cascade word `{word}` is listed twice")
            }
        }
    }
}

/// "`cascade` accepts a comma-separated list of: save-update, merge, ..., none".
fn expected() -> String {
    let words: Vec<&str> = WORDS.iter().map(|&(word, _)| word).collect();
    format!(
        "`cascade` accepts a comma-separated list of: {}",
        words.join(", ")
    )
}

/// Parses `"all, delete-orphan"`: words separated by commas, whitespace around them ignored.
pub fn parse(list: &str) -> Result<Cascade, ParseError> {
    if list.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut set = Cascade::NONE;
    for word in list.split(',').map(str::trim) {
        if word.is_empty() {
            return Err(ParseError::EmptyWord);
        }
        let Some(&(_, flags)) = WORDS.iter().find(|&&(known, _)| known == word) else {
            let suggestion = suggest::closest(word, WORDS.iter().map(|&(known, _)| known));
            return Err(ParseError::Unknown {
                word: word.to_owned(),
                suggestion,
            });
        };
        if seen.contains(&word) {
            return Err(ParseError::Duplicate {
                word: word.to_owned(),
            });
        }
        seen.push(word);
        set = set.union(flags);
    }
    if seen.contains(&"none") && seen.len() > 1 {
        return Err(ParseError::NoneMixed);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SU: Cascade = Cascade::SAVE_UPDATE;
    const D: Cascade = Cascade::DELETE;
    const DO: Cascade = Cascade::DELETE_ORPHAN;

    #[test]
    fn valid_lists() {
        for (list, expected) in [
            ("save-update", SU),
            ("merge", Cascade::MERGE),
            ("expunge", Cascade::EXPUNGE),
            ("delete", D),
            ("delete-orphan", DO),
            ("refresh-expire", Cascade::REFRESH_EXPIRE),
            ("none", Cascade::NONE),
            ("all", Cascade::ALL),
            ("save-update, merge", Cascade::DEFAULT),
            ("all, delete", Cascade::ALL),
            ("all, delete-orphan", Cascade::ALL.union(DO)),
            ("all,delete-orphan", Cascade::ALL.union(DO)),
            ("  save-update ,  delete  ", SU.union(D)),
            ("\tdelete,\n delete-orphan", D.union(DO)),
            (
                "save-update, merge, refresh-expire, expunge, delete",
                Cascade::ALL,
            ),
        ] {
            assert_eq!(parse(list), Ok(expected), "{list:?}");
        }
    }

    #[test]
    fn invalid_lists() {
        let unknown = |word: &str, suggestion| ParseError::Unknown {
            word: word.into(),
            suggestion,
        };
        let duplicate = |word: &str| ParseError::Duplicate { word: word.into() };
        for (list, expected) in [
            ("", ParseError::Empty),
            ("   ", ParseError::Empty),
            ("delete,", ParseError::EmptyWord),
            ("delete,,merge", ParseError::EmptyWord),
            (",delete", ParseError::EmptyWord),
            ("delte", unknown("delte", Some("delete"))),
            (
                "all, delete-orhpan",
                unknown("delete-orhpan", Some("delete-orphan")),
            ),
            ("save_update", unknown("save_update", Some("save-update"))),
            ("Delete", unknown("Delete", Some("delete"))),
            ("everything", unknown("everything", None)),
            ("delete merge", unknown("delete merge", None)),
            ("none, delete", ParseError::NoneMixed),
            ("all, none", ParseError::NoneMixed),
            ("delete, delete", duplicate("delete")),
            ("all, merge, all", duplicate("all")),
            ("none, none", duplicate("none")),
        ] {
            assert_eq!(parse(list), Err(expected), "{list:?}");
        }
    }

    #[test]
    fn terms_name_the_runtime_constants() {
        for (set, expected) in [
            (Cascade::NONE, &["NONE"][..]),
            (Cascade::DEFAULT, &["DEFAULT"]),
            (Cascade::ALL, &["ALL"]),
            (Cascade::ALL.union(DO), &["ALL", "DELETE_ORPHAN"]),
            (SU.union(D), &["SAVE_UPDATE", "DELETE"]),
            (D.union(DO), &["DELETE", "DELETE_ORPHAN"]),
            (
                Cascade::DEFAULT.union(D),
                &["SAVE_UPDATE", "MERGE", "DELETE"],
            ),
        ] {
            assert_eq!(set.terms(), expected, "{set:?}");
        }
    }

    #[test]
    fn table_matches_the_runtime_definitions() {
        // `all` is every flag but delete-orphan; the flags are distinct single bits.
        let every_flag = FLAGS
            .iter()
            .fold(Cascade::NONE, |set, &(flag, _)| set.union(flag));
        assert_eq!(Cascade::ALL.union(DO), every_flag);
        assert!(!Cascade::ALL.contains(DO));
        for &(flag, _) in FLAGS {
            assert_eq!(flag.0.count_ones(), 1);
        }
    }

    #[test]
    fn messages_say_what_is_accepted() {
        let message = parse("delte").unwrap_err().to_string();
        assert_eq!(
            message,
            "unknown cascade word `delte`: did you mean `delete`? `cascade` accepts a \
             comma-separated list of: save-update, merge, expunge, delete, delete-orphan, \
             refresh-expire, all, none"
        );
        assert!(parse("x")
            .unwrap_err()
            .to_string()
            .starts_with("unknown cascade word `x`: `cascade` accepts"));
    }
}
