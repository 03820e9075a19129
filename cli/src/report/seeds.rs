//! The passages a configuration cites (`seed 000 l.223: "..."`): the citations found in a
//! `source:` text, and the cited line read from the seed file, cut to a short excerpt around the
//! quoted words. Only the excerpt goes into the page, never the whole seed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Seed files larger than this are not read.
const MAX_SEED_BYTES: u64 = 8 * 1024 * 1024;
/// Characters of context on each side of a quoted phrase.
const CONTEXT: usize = 110;
/// Characters of a line shown when no quoted phrase is found in it.
const HEAD: usize = 230;

/// One cited passage: `seed 000 l.223` (or `l.136-137`), with the words quoted after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The seed's number as written: `000`.
    pub seed: String,
    /// The first line cited (1-based).
    pub line: usize,
    /// The last line cited (the same unless a range).
    pub last: usize,
    /// The words quoted right after the line reference, if any.
    pub quote: Option<String>,
}

/// Every citation in `text`. A line reference belongs to the last `seed NNN` before it; one
/// with no seed before it is left out.
pub fn citations(text: &str) -> Vec<Citation> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut seed: Option<String> = None;
    let mut i = 0;
    let digits = |from: usize| -> (String, usize) {
        let mut j = from;
        let mut s = String::new();
        while j < chars.len() && chars[j].is_ascii_digit() {
            s.push(chars[j]);
            j += 1;
        }
        (s, j)
    };
    let boundary = |i: usize| i == 0 || !chars[i - 1].is_alphanumeric();
    while i < chars.len() {
        if boundary(i) && starts_with(&chars, i, "seed ") {
            let (n, j) = digits(i + 5);
            if !n.is_empty() {
                seed = Some(n);
                i = j;
                continue;
            }
        }
        if boundary(i) && starts_with(&chars, i, "l.") {
            let (first, mut j) = digits(i + 2);
            if let (Ok(line), Some(s)) = (first.parse::<usize>(), &seed) {
                let mut last = line;
                if j < chars.len() && (chars[j] == '-' || chars[j] == '–') {
                    let (second, k) = digits(j + 1);
                    if let Ok(l) = second.parse::<usize>() {
                        last = l.max(line);
                        j = k;
                    }
                }
                // `l.223: "quoted words"`
                let mut k = j;
                let mut quote = None;
                if k < chars.len() && chars[k] == ':' {
                    k += 1;
                    while k < chars.len() && chars[k] == ' ' {
                        k += 1;
                    }
                    if k < chars.len() && matches!(chars[k], '"' | '“' | '”') {
                        let start = k + 1;
                        let end = (start..chars.len())
                            .find(|&e| matches!(chars[e], '"' | '“' | '”'))
                            .unwrap_or(chars.len());
                        quote = Some(chars[start..end].iter().collect::<String>());
                        j = (end + 1).min(chars.len());
                    }
                }
                if line > 0 {
                    out.push(Citation {
                        seed: s.clone(),
                        line,
                        last,
                        quote: quote.filter(|q| !q.trim().is_empty()),
                    });
                }
                i = j.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    out
}

fn starts_with(chars: &[char], at: usize, s: &str) -> bool {
    (at..).zip(s.chars()).all(|(i, c)| chars.get(i) == Some(&c))
}

/// A cited line, cut short: `before` [`marked`] `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// Text before the quoted words (with `…` where cut).
    pub before: String,
    /// The quoted words as the seed has them (empty when not found).
    pub marked: String,
    /// Text after them.
    pub after: String,
    /// Whether the quoted words were found on the line (`None`: nothing was quoted).
    pub quote_found: Option<bool>,
}

/// The seed files, found once and read on demand.
pub struct Seeds {
    dir: Option<PathBuf>,
    files: HashMap<String, Option<Vec<String>>>,
}

impl Seeds {
    /// Seeds in `dir`, or else in a `seeds/` or `shared/seeds/` folder beside `start` or one of
    /// its parents.
    pub fn find(dir: Option<&Path>, start: &Path) -> Seeds {
        let dir = dir.map(Path::to_path_buf).or_else(|| {
            let start = std::fs::canonicalize(start).ok()?;
            start.ancestors().find_map(|a| {
                [a.join("seeds"), a.join("shared").join("seeds")]
                    .into_iter()
                    .find(|d| d.is_dir())
            })
        });
        Seeds {
            dir,
            files: HashMap::new(),
        }
    }

    /// The folder the seeds are read from, if one was found.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The lines of seed `number` (`000_*.txt`), if found and readable.
    fn lines(&mut self, number: &str) -> Option<&Vec<String>> {
        if !self.files.contains_key(number) {
            let lines = self.dir.as_ref().and_then(|d| read_seed(d, number));
            self.files.insert(number.to_string(), lines);
        }
        self.files.get(number).and_then(Option::as_ref)
    }

    /// The excerpt of the first line `c` cites, if the seed and the line exist.
    pub fn excerpt(&mut self, c: &Citation) -> Option<Excerpt> {
        let line = self.lines(&c.seed)?.get(c.line - 1)?.trim().to_string();
        if line.is_empty() {
            return None;
        }
        Some(excerpt(&line, c.quote.as_deref()))
    }
}

fn read_seed(dir: &Path, number: &str) -> Option<Vec<String>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.ends_with(".txt")
                    && (n.starts_with(&format!("{number}_")) || n == format!("{number}.txt"))
            })
        })
        .collect();
    names.sort();
    let path = names.into_iter().next()?;
    if std::fs::metadata(&path).ok()?.len() > MAX_SEED_BYTES {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    Some(
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// Cut `line` to the words `quote` (found exactly, or ignoring case and runs of spaces) with
/// some context; without a quote, or when it is not on the line, the line's start.
pub fn excerpt(line: &str, quote: Option<&str>) -> Excerpt {
    let chars: Vec<char> = line.chars().collect();
    let found = quote.and_then(|q| find(&chars, q));
    match found {
        Some((start, end)) => {
            let from = start.saturating_sub(CONTEXT);
            let to = (end + CONTEXT).min(chars.len());
            let mut before: String = chars[from..start].iter().collect();
            if from > 0 {
                before = format!("…{}", before.trim_start());
            }
            let mut after: String = chars[end..to].iter().collect();
            if to < chars.len() {
                after = format!("{}…", after.trim_end());
            }
            Excerpt {
                before,
                marked: chars[start..end].iter().collect(),
                after,
                quote_found: Some(true),
            }
        }
        None => {
            let to = HEAD.min(chars.len());
            let mut before: String = chars[..to].iter().collect();
            if to < chars.len() {
                before = format!("{}…", before.trim_end());
            }
            Excerpt {
                before,
                marked: String::new(),
                after: String::new(),
                quote_found: quote.map(|_| false),
            }
        }
    }
}

/// Where `quote` stands in `chars` (char indices), ignoring case and runs of white space; an
/// ellipsis in the quote (`...`, `…`) matches anything up to the next words.
fn find(chars: &[char], quote: &str) -> Option<(usize, usize)> {
    // Normalised line: lower case, one space for a run of white space, with the index each
    // normalised char came from.
    let mut norm: Vec<char> = Vec::with_capacity(chars.len());
    let mut from: Vec<usize> = Vec::with_capacity(chars.len());
    let mut space = false;
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            if !space && !norm.is_empty() {
                norm.push(' ');
                from.push(i);
            }
            space = true;
            continue;
        }
        space = false;
        for l in c.to_lowercase() {
            norm.push(l);
            from.push(i);
        }
    }
    let text: String = norm.iter().collect();
    let pieces: Vec<String> = quote
        .replace('…', "...")
        .split("...")
        .map(|p| {
            p.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .filter(|p| !p.is_empty())
        .collect();
    let first = pieces.first()?;
    let mut search = 0;
    let start_byte = text.get(search..)?.find(first.as_str())? + search;
    search = start_byte + first.len();
    for p in &pieces[1..] {
        search = text.get(search..)?.find(p.as_str())? + search + p.len();
    }
    let start = text[..start_byte].chars().count();
    let end = text[..search].chars().count();
    Some((*from.get(start)?, from.get(end - 1)? + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_take_the_seed_named_before_them_and_their_quotes() {
        let c = citations(
            r#"seed 000 l.223: "en handlingsplan ska upprättas" ; l.241: "Då handlingsplaner""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].seed.as_str(), c[0].line), ("000", 223));
        assert_eq!(
            c[0].quote.as_deref(),
            Some("en handlingsplan ska upprättas")
        );
        assert_eq!(
            (c[1].line, c[1].quote.as_deref()),
            (241, Some("Då handlingsplaner"))
        );
        let c = citations("seed 000 l.136-137 and l.193; seed 001 l.5");
        let got: Vec<(&str, usize, usize)> = c
            .iter()
            .map(|c| (c.seed.as_str(), c.line, c.last))
            .collect();
        assert_eq!(got, [("000", 136, 137), ("000", 193, 193), ("001", 5, 5)]);
        // A line reference with no seed before it is not a citation.
        assert!(citations("not in seed: assumption (354 cases, l.169)").is_empty());
        assert!(citations("").is_empty());
        assert!(citations("seed 000 l.").is_empty());
    }

    #[test]
    fn an_excerpt_marks_the_quoted_words_ignoring_case_and_spacing() {
        let e = excerpt(
            "I slutet av år 2021 fanns 354  aktuella ärenden, att jämföra med 420.",
            Some("fanns 354 Aktuella ärenden"),
        );
        assert_eq!(e.marked, "fanns 354  aktuella ärenden");
        assert_eq!(e.before, "I slutet av år 2021 ");
        assert_eq!(e.quote_found, Some(true));
        let e = excerpt("kort rad", Some("finns inte"));
        assert_eq!(
            (e.before.as_str(), e.quote_found),
            ("kort rad", Some(false))
        );
        let long = "ord ".repeat(200);
        let e = excerpt(&long, None);
        assert!(e.before.ends_with('…') && e.before.chars().count() <= HEAD + 1);
        // An ellipsis in the quote skips words.
        let e = excerpt("a b c d e f", Some("b ... e"));
        assert_eq!(e.marked, "b c d e");
    }
}
