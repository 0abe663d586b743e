//! A reader for the vector files in `tests/vectors/`: `# comment` lines, `[name]`
//! sections, `key = hex` entries (keys may repeat; their order is kept).

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// One `[name]` section.
#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub entries: Vec<(String, String)>,
}

impl Section {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> &str {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("[{}] has no {key}", self.name))
    }

    /// The first value of `key`, hex-decoded.
    pub fn hex(&self, key: &str) -> Vec<u8> {
        hex::decode(self.get(key)).unwrap_or_else(|e| panic!("[{}] {key}: {e}", self.name))
    }

    /// The first value of `key` as a hex byte.
    pub fn byte(&self, key: &str) -> u8 {
        u8::from_str_radix(self.get(key), 16).unwrap()
    }
}

/// Parses a vector file.
pub fn parse(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push(Section { name: name.to_owned(), entries: Vec::new() });
        } else if let Some((k, v)) = line.split_once('=') {
            let section = sections.last_mut().expect("entry before the first section");
            section.entries.push((k.trim().to_owned(), v.trim().to_owned()));
        } else {
            panic!("unreadable vector line: {line}");
        }
    }
    sections
}
