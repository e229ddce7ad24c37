//! Target-language code that schema text cannot break out of: the builder the validator emitters
//! write with.
//!
//! A [`Code`] is a fragment of Rust or TypeScript (the language is its type parameter, so a Rust
//! fragment cannot land in TypeScript). It is made only from
//!
//! - a template written in the generator, the literal of [`code!`]: `code!("if !{}({}) {{", f, v)`,
//!   checked at compile time to have only `{}` placeholders (`{{` and `}}` for braces), exactly one
//!   per argument;
//! - values that each say how they are written ([`Interp`]): other [`Code`] fragments as they
//!   are, identifiers ([`Ident`], checked), integers in decimal, strings only as string literals
//!   ([`Str`], quoted and escaped for the language, every character outside printable ASCII
//!   written as an escape), JSON numbers as literals ([`Num`]).
//!
//! A `&str` or `String` is not an [`Interp`], so text from a schema (a property name, an enum
//! value, a pattern, a schema path) can reach the output only as a string literal: it cannot end
//! the literal, start a comment or inject code, whatever it holds (quotes, backslashes, `*/`, line
//! breaks, U+2028 and U+2029, `${`, NUL, bidirectional controls). Comments take text only through
//! [`CodeWriter::doc`], which makes every line break a new comment line, writes control and
//! bidirectional characters as visible `\u{…}` escapes, and (in TypeScript) breaks up `*/`.

use std::fmt::Write as _;
use std::marker::PhantomData;

/// A target language.
pub(crate) trait Lang: Sized + 'static {
    /// One level of indentation.
    const INDENT: &'static str;
    /// Writes `s` as a string literal of the language, ASCII only.
    fn write_str_literal(out: &mut String, s: &str);
    /// Writes a JSON number as a literal expression of the language.
    fn write_number(out: &mut String, n: &serde_json::Number);
    /// The lines of a doc comment whose text lines (already sanitized) are `lines`.
    fn doc_lines(lines: &[String]) -> Vec<String>;
}

/// Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Rust {}

/// TypeScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ts {}

impl Lang for Rust {
    const INDENT: &'static str = "    ";

    fn write_str_literal(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\0' => out.push_str("\\0"),
                ' '..='~' => out.push(c),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                }
            }
        }
        out.push('"');
    }

    /// A `serde_json::Number` expression: `::serde_json::Number::from(5i64)`.
    fn write_number(out: &mut String, n: &serde_json::Number) {
        let _ = match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => write!(out, "::serde_json::Number::from({i}i64)"),
            (_, Some(u), _) => write!(out, "::serde_json::Number::from({u}u64)"),
            // `{:?}` is the shortest text that reads back as the same `f64`.
            (_, _, Some(f)) if f.is_finite() => write!(
                out,
                "::serde_json::Number::from_f64({f:?}f64).expect(\"finite\")"
            ),
            _ => write!(out, "::serde_json::Number::from(0i64)"),
        };
    }

    fn doc_lines(lines: &[String]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                if line.is_empty() {
                    "///".to_owned()
                } else {
                    format!("/// {line}")
                }
            })
            .collect()
    }
}

impl Lang for Ts {
    const INDENT: &'static str = "  ";

    fn write_str_literal(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                ' '..='~' => out.push(c),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
            }
        }
        out.push('"');
    }

    /// serde_json's spelling (valid TypeScript), a negative number in parentheses.
    fn write_number(out: &mut String, n: &serde_json::Number) {
        let text = n.to_string();
        if text.starts_with('-') {
            let _ = write!(out, "({text})");
        } else {
            out.push_str(&text);
        }
    }

    fn doc_lines(lines: &[String]) -> Vec<String> {
        let mut out = vec!["/**".to_owned()];
        for line in lines {
            let line = line.replace("*/", "*\\/");
            if line.is_empty() {
                out.push(" *".to_owned());
            } else {
                out.push(format!(" * {line}"));
            }
        }
        out.push(" */".to_owned());
        out
    }
}

/// A fragment of code in language `L`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Code<L> {
    text: String,
    lang: PhantomData<L>,
}

impl<L: Lang> Code<L> {
    /// Code written in the generator itself: a keyword, an operator, a closing brace.
    pub(crate) fn raw(text: &'static str) -> Self {
        Code {
            text: text.to_owned(),
            lang: PhantomData,
        }
    }

    /// Fills `template`'s `{}` placeholders with `args`, in order (`{{` and `}}` are braces). Use
    /// [`code!`], which checks the template at compile time.
    pub(crate) fn template(template: &'static str, args: &[&dyn Interp<L>]) -> Self {
        let mut text = String::with_capacity(template.len() + 16 * args.len());
        let mut args = args.iter();
        let mut rest = template;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let tail = &rest[at..];
            if tail.starts_with("{}") {
                if let Some(arg) = args.next() {
                    arg.write(&mut text);
                }
            } else {
                // `{{` or `}}` (the compile-time check allows nothing else).
                text.push_str(&tail[..1]);
            }
            rest = tail.get(2..).unwrap_or_default();
        }
        text.push_str(rest);
        Code {
            text,
            lang: PhantomData,
        }
    }

    /// `parts` with `separator` between them.
    pub(crate) fn join(parts: impl IntoIterator<Item = Code<L>>, separator: &'static str) -> Self {
        let mut text = String::new();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                text.push_str(separator);
            }
            text.push_str(&part.text);
        }
        Code {
            text,
            lang: PhantomData,
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

/// A value that can be written into code of language `L`.
pub(crate) trait Interp<L: Lang> {
    /// Appends the value's code.
    fn write(&self, out: &mut String);
}

impl<L: Lang> Interp<L> for Code<L> {
    fn write(&self, out: &mut String) {
        out.push_str(&self.text);
    }
}

impl<L: Lang, T: Interp<L> + ?Sized> Interp<L> for &T {
    fn write(&self, out: &mut String) {
        (**self).write(out);
    }
}

macro_rules! integers {
    ($($t:ty),*) => {
        $(impl<L: Lang> Interp<L> for $t {
            fn write(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        })*
    };
}
integers!(u32, u64, usize, i64);

/// A string, written as a string literal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str<'a>(pub(crate) &'a str);

impl<L: Lang> Interp<L> for Str<'_> {
    fn write(&self, out: &mut String) {
        L::write_str_literal(out, self.0);
    }
}

/// A string's UTF-8 bytes, written as a Rust byte-string literal (`b"type"`, a `&[u8; N]`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bytes<'a>(pub(crate) &'a str);

impl Interp<Rust> for Bytes<'_> {
    fn write(&self, out: &mut String) {
        out.push_str("b\"");
        for b in self.0.bytes() {
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b' '..=b'~' => out.push(char::from(b)),
                _ => {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
        out.push('"');
    }
}

/// A JSON number, written as a literal (Rust: a `serde_json::Number` expression).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Num<'a>(pub(crate) &'a serde_json::Number);

impl<L: Lang> Interp<L> for Num<'_> {
    fn write(&self, out: &mut String) {
        L::write_number(out, self.0);
    }
}

/// A finite binary64 number, written as a floating-point literal (`0.0001f64`, `0.0001`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Float(pub(crate) f64);

impl Interp<Rust> for Float {
    fn write(&self, out: &mut String) {
        // `{:?}` is the shortest text that reads back as the same `f64`.
        let f = if self.0.is_finite() { self.0 } else { 0.0 };
        let _ = write!(out, "{f:?}f64");
    }
}

impl Interp<Ts> for Float {
    fn write(&self, out: &mut String) {
        let f = if self.0.is_finite() { self.0 } else { 0.0 };
        if f < 0.0 {
            let _ = write!(out, "({f:?})");
        } else {
            let _ = write!(out, "{f:?}");
        }
    }
}

/// An identifier: ASCII letters, digits and `_`, not starting with a digit, not empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ident(String);

impl Ident {
    /// `name` if it is an identifier.
    pub(crate) fn new(name: &str) -> Option<Self> {
        let mut chars = name.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        valid.then(|| Ident(name.to_owned()))
    }

    /// `name` as an identifier: itself when it is one (a type name the profile checked, a name the
    /// generator made), else with every other character as `_` (and `_` before a leading digit).
    pub(crate) fn from_name(name: &str) -> Self {
        if let Some(ident) = Self::new(name) {
            return ident;
        }
        let mut out: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            out.insert(0, '_');
        }
        Ident(out)
    }

    /// The identifier's text.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<L: Lang> Interp<L> for Ident {
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// Checks a [`code!`] template at compile time: only `{}` placeholders, `{{` and `}}` for
/// braces, and as many placeholders as `args`.
pub(crate) const fn check_template(template: &str, args: usize) {
    let bytes = template.as_bytes();
    let mut i = 0;
    let mut holes = 0;
    while i < bytes.len() {
        let next = if i + 1 < bytes.len() { bytes[i + 1] } else { 0 };
        match bytes[i] {
            b'{' if next == b'{' => i += 2,
            b'{' if next == b'}' => {
                holes += 1;
                i += 2;
            }
            b'}' if next == b'}' => i += 2,
            b'{' | b'}' => {
                panic!("a code template's placeholder is `{{}}`; braces are `{{{{` and `}}}}`")
            }
            _ => i += 1,
        }
    }
    if holes != args {
        panic!("a code template has as many `{{}}` as arguments");
    }
}

/// Counts macro arguments (for [`code!`]).
macro_rules! count_args {
    () => { 0usize };
    ($head:expr $(, $tail:expr)*) => { 1usize + $crate::code::count_args!($($tail),*) };
}
pub(crate) use count_args;

/// Code from a template written here and values that write themselves ([`Interp`]):
/// `code!("if {} > {} {{", value, limit)`. The template is checked at compile time.
macro_rules! code {
    ($template:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = $crate::code::check_template(
            $template,
            $crate::code::count_args!($($arg),*),
        );
        $crate::code::Code::template($template, &[$(&$arg as &dyn $crate::code::Interp<_>),*])
    }};
}
pub(crate) use code;

/// The text of a comment, line by line: every line break (`\n`, `\r`, U+2028, U+2029) starts a
/// new line, trailing white space and trailing blank lines go, and control characters other than
/// tab and the bidirectional controls are written as `\u{…}`.
pub(crate) fn comment_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
            }
            '\t' => line.push(c),
            c if c.is_control()
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') =>
            {
                let _ = write!(line, "\\u{{{:x}}}", u32::from(c));
            }
            c => line.push(c),
        }
    }
    lines.push(line.trim_end().to_owned());
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    lines
}

/// Builds code line by line, indenting blocks.
#[derive(Debug)]
pub(crate) struct CodeWriter<L> {
    out: String,
    depth: usize,
    lang: PhantomData<L>,
}

impl<L: Lang> Default for CodeWriter<L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<L: Lang> CodeWriter<L> {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        CodeWriter {
            out: String::new(),
            depth: 0,
            lang: PhantomData,
        }
    }

    fn indented(&mut self, text: &str) {
        if !text.is_empty() {
            for _ in 0..self.depth {
                self.out.push_str(L::INDENT);
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// Writes one line at the current depth.
    pub(crate) fn line(&mut self, code: Code<L>) {
        self.indented(&code.text);
    }

    /// Writes an empty line.
    pub(crate) fn blank(&mut self) {
        self.out.push('\n');
    }

    /// Writes `open`, runs `body` one level deeper, then writes `close`.
    pub(crate) fn block(&mut self, open: Code<L>, close: Code<L>, body: impl FnOnce(&mut Self)) {
        self.line(open);
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.line(close);
    }

    /// Writes `open` (which ends with `{`), runs `body` one level deeper, then writes `}`.
    pub(crate) fn braces(&mut self, open: Code<L>, body: impl FnOnce(&mut Self)) {
        self.block(open, Code::raw("}"), body);
    }

    /// `open` (ending with `{`), `then`, `} else {`, `otherwise`, `}` (the same in both
    /// languages).
    pub(crate) fn if_else(
        &mut self,
        open: Code<L>,
        then: impl FnOnce(&mut Self),
        otherwise: impl FnOnce(&mut Self),
    ) {
        self.line(open);
        self.depth += 1;
        then(self);
        self.depth -= 1;
        self.indented("} else {");
        self.depth += 1;
        otherwise(self);
        self.depth -= 1;
        self.indented("}");
    }

    /// Writes `text` as a doc comment (`///` lines, or a `/** … */` block); nothing for blank
    /// text. See [`comment_lines`] for what happens to the text.
    pub(crate) fn doc(&mut self, text: &str) {
        let lines = comment_lines(text);
        if lines.is_empty() {
            return;
        }
        for line in L::doc_lines(&lines) {
            self.indented(&line);
        }
    }

    /// Appends what `other` wrote, each line one level deeper per level of the current depth.
    pub(crate) fn append(&mut self, other: CodeWriter<L>) {
        for line in other.out.lines() {
            self.indented(line);
        }
    }

    /// Whether nothing was written.
    pub(crate) fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\"b\\c*/d\ne\rf\u{2028}g\u{2029}h${i}\0j\u{202e}k`l'm\u{1F600}n";

    fn rust(s: &str) -> String {
        let code: Code<Rust> = code!("{}", Str(s));
        code.as_str().to_owned()
    }

    fn ts(s: &str) -> String {
        let code: Code<Ts> = code!("{}", Str(s));
        code.as_str().to_owned()
    }

    #[test]
    fn string_literals_are_ascii_and_read_back_as_the_string() {
        let r = rust(HOSTILE);
        assert!(r.chars().all(|c| (' '..='~').contains(&c)), "{r}");
        assert_eq!(
            r,
            "\"a\\\"b\\\\c*/d\\ne\\rf\\u{2028}g\\u{2029}h${i}\\0j\\u{202e}k`l'm\\u{1f600}n\""
        );
        let t = ts(HOSTILE);
        assert!(t.chars().all(|c| (' '..='~').contains(&c)), "{t}");
        // TypeScript's double-quoted literal is JSON's string syntax here: JSON reads it back.
        assert_eq!(
            serde_json::from_str::<String>(&t).expect("JSON string"),
            HOSTILE
        );
        assert!(t.contains("\\ud83d\\ude00"), "{t}");
    }

    #[test]
    fn byte_string_literals_are_ascii_and_spell_the_utf8_bytes() {
        let code: Code<Rust> = code!("{}", Bytes(HOSTILE));
        let r = code.as_str();
        assert!(r.chars().all(|c| (' '..='~').contains(&c)), "{r}");
        // Read the literal back: printable bytes as they are, `\"`, `\\` and `\xNN` escapes.
        let body = r
            .strip_prefix("b\"")
            .and_then(|r| r.strip_suffix('"'))
            .expect("a byte string literal");
        let (mut bytes, mut rest) = (Vec::new(), body.as_bytes());
        while let Some((&b, tail)) = rest.split_first() {
            rest = match (b, tail) {
                (b'\\', [b'x', hi, lo, tail @ ..]) => {
                    let hex = std::str::from_utf8(&[*hi, *lo]).expect("hex").to_owned();
                    bytes.push(u8::from_str_radix(&hex, 16).expect("hex digits"));
                    tail
                }
                (b'\\', [c @ (b'"' | b'\\'), tail @ ..]) => {
                    bytes.push(*c);
                    tail
                }
                (b'\\', _) => panic!("unexpected escape in {r}"),
                (b'"', _) => panic!("an unescaped quote in {r}"),
                _ => {
                    bytes.push(b);
                    tail
                }
            };
        }
        assert_eq!(bytes, HOSTILE.as_bytes());
    }

    #[test]
    fn templates_fill_placeholders_and_keep_braces() {
        let name = Ident::new("v0").expect("identifier");
        let code: Code<Rust> = code!("if {}.len() > {} {{ {} }}", name, 3u64, Str("x"));
        assert_eq!(code.as_str(), "if v0.len() > 3 { \"x\" }");
        let empty: Code<Ts> = code!("}}");
        assert_eq!(empty.as_str(), "}");
    }

    #[test]
    fn numbers_are_exact_literals() {
        let n = |text: &str| serde_json::from_str::<serde_json::Number>(text).expect("number");
        let ts = |text: &str| -> String {
            let code: Code<Ts> = code!("{}", Num(&n(text)));
            code.as_str().to_owned()
        };
        let rust = |text: &str| -> String {
            let code: Code<Rust> = code!("{}", Num(&n(text)));
            code.as_str().to_owned()
        };
        assert_eq!(ts("-9007199254740991"), "(-9007199254740991)");
        assert_eq!(ts("0.1"), "0.1");
        assert_eq!(rust("-5"), "::serde_json::Number::from(-5i64)");
        assert_eq!(
            rust("18446744073709551615"),
            "::serde_json::Number::from(18446744073709551615u64)"
        );
        assert_eq!(
            rust("1e300"),
            "::serde_json::Number::from_f64(1e300f64).expect(\"finite\")"
        );
        assert_eq!(
            rust("2.5"),
            "::serde_json::Number::from_f64(2.5f64).expect(\"finite\")"
        );
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(Ident::new("f12_0_1").is_some());
        assert!(Ident::new("1a").is_none());
        assert!(Ident::new("a-b").is_none());
        assert!(Ident::new("").is_none());
        assert!(Ident::new("a\"").is_none());
        assert_eq!(Ident::from_name("Type").as_str(), "Type");
        assert_eq!(Ident::from_name("1 */x").as_str(), "_1___x");
    }

    #[test]
    fn comments_cannot_be_ended_by_their_text() {
        let mut w = CodeWriter::<Ts>::new();
        w.doc(HOSTILE);
        let text = w.finish();
        assert_eq!(
            text,
            "/**\n * a\"b\\c*\\/d\n * e\n * f\n * g\n * h${i}\\u{0}j\\u{202e}k`l'm\u{1F600}n\n */\n"
        );
        let mut w = CodeWriter::<Rust>::new();
        w.doc("one\r\n\r\ntwo\rthree\u{2028} \u{7}");
        assert_eq!(
            w.finish(),
            "/// one\n///\n/// two\n/// three\n///  \\u{7}\n"
        );
    }

    #[test]
    fn blocks_indent_per_language() {
        let mut w = CodeWriter::<Rust>::new();
        w.braces(code!("fn f() {{"), |w| w.line(code!("g();")));
        assert_eq!(w.finish(), "fn f() {\n    g();\n}\n");
        let mut inner = CodeWriter::<Ts>::new();
        inner.line(code!("x;"));
        let mut w = CodeWriter::<Ts>::new();
        w.braces(code!("{{"), |w| w.append(inner));
        assert_eq!(w.finish(), "{\n  x;\n}\n");
    }
}
