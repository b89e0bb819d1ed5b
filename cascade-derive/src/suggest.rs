//! "Did you mean ...?": the nearest valid word to a misspelled one, by edit distance.

/// The candidate closest to `word`, if it is close enough to be what the user meant.
///
/// Close enough: at most two edits, and fewer edits than a third of the candidate's length
/// (so that `al` suggests `all`, while `foo` suggests nothing).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= 2 && distance * 3 <= candidate.len().max(3))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`? " when a candidate is close, "" otherwise: the start of the sentence
/// that goes on to say what is accepted.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(word, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`? "),
        None => String::new(),
    }
}

/// Edit distance over characters (insertions, deletions, substitutions and transpositions of
/// two adjacent characters: the optimal string alignment distance). Case-sensitive:
/// `Delete` is one edit from `delete`, and so is `tabel` from `table`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: the distance between a[..i] and b[..j].
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        for (a, b, expected) in [
            ("", "", 0),
            ("", "abc", 3),
            ("abc", "", 3),
            ("delete", "delete", 0),
            ("delte", "delete", 1),
            ("Delete", "delete", 1),
            ("save_update", "save-update", 1),
            ("kitten", "sitting", 3),
            ("tabel", "table", 1),
            ("ab", "ba", 1),
        ] {
            assert_eq!(edit_distance(a, b), expected, "{a:?} -> {b:?}");
        }
    }

    #[test]
    fn suggestions() {
        let words = [
            "save-update",
            "merge",
            "delete",
            "delete-orphan",
            "all",
            "none",
        ];
        for (word, expected) in [
            ("delte", Some("delete")),
            ("delet-orphan", Some("delete-orphan")),
            ("save_update", Some("save-update")),
            ("al", Some("all")),
            ("merg", Some("merge")),
            ("foo", None),
            ("cascade", None),
            ("x", None),
        ] {
            assert_eq!(closest(word, words), expected, "{word:?}");
        }
    }

    #[test]
    fn did_you_mean_is_empty_without_a_suggestion() {
        assert_eq!(
            did_you_mean("colum", ["column", "index"]),
            "did you mean `column`? "
        );
        assert_eq!(did_you_mean("zzz", ["column", "index"]), "");
    }
}
