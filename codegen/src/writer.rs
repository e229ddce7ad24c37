//! A small indenting text builder for the emitters that write fixed text around names the profile
//! checked (types, methods, formats, the package files), and identifier spelling helpers. The
//! validator emitters, which interpolate schema text, write with [`crate::code`] instead.

use crate::code::{comment_lines, Lang, Rust, Ts};

/// Builds source text line by line with four-space indentation (two for TypeScript).
#[derive(Debug)]
pub(crate) struct Writer {
    out: String,
    depth: usize,
    unit: &'static str,
}

impl Writer {
    /// A writer that indents by `unit`.
    pub(crate) fn new(unit: &'static str) -> Self {
        Writer {
            out: String::new(),
            depth: 0,
            unit,
        }
    }

    /// Writes one line at the current depth (an empty `text` writes an empty line).
    pub(crate) fn line(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if !text.is_empty() {
            for _ in 0..self.depth {
                self.out.push_str(self.unit);
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// Writes `open`, runs `body` one level deeper, then writes `close`.
    pub(crate) fn block(
        &mut self,
        open: impl AsRef<str>,
        close: &str,
        body: impl FnOnce(&mut Self),
    ) {
        self.line(open);
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.line(close);
    }

    /// Writes each line of a comment with `prefix` (`///`, ` *`): every line break of `text` starts
    /// a new comment line, and control and bidirectional characters are written as escapes (see
    /// [`crate::code::comment_lines`]).
    pub(crate) fn doc(&mut self, prefix: &str, text: &str) {
        for line in comment_lines(text) {
            if line.is_empty() {
                self.line(prefix);
            } else {
                self.line(format!("{prefix} {line}"));
            }
        }
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// `DeviceKeySignParams` → `device_key_sign_params`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_ascii_uppercase())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A Rust string literal for `s` (ASCII only, see [`crate::code::Str`]).
pub(crate) fn rust_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    Rust::write_str_literal(&mut out, s);
    out
}

/// A TypeScript string literal for `s` (ASCII only, see [`crate::code::Str`]).
pub(crate) fn ts_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    Ts::write_str_literal(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(
            super::snake_case("DeviceKeySignParams"),
            "device_key_sign_params"
        );
        assert_eq!(super::snake_case("JSONValue"), "json_value");
        assert_eq!(super::snake_case("Suite12"), "suite12");
    }
}
