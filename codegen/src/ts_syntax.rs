//! TypeScript syntax for the TypeScript emitters: JSDoc comments, property keys, identifiers, and
//! the names a plain object inherits.

use crate::code::{comment_lines, Lang, Ts};
use crate::writer::{ts_str, Writer};

/// Writes `text` as a JSDoc block (`/** ... */`), one ` * ` line per line of text. A `*/` inside
/// the text is written as `*\/` so that it cannot end the comment, and line breaks and control
/// characters are handled as [`comment_lines`] says. Writes nothing for blank text.
pub(crate) fn jsdoc(w: &mut Writer, text: &str) {
    let lines = comment_lines(text);
    if lines.is_empty() {
        return;
    }
    for line in Ts::doc_lines(&lines) {
        w.line(line);
    }
}

/// Whether `name` can be written bare as an identifier or property name (ASCII only).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A property key for an interface member or object literal: bare when it is an identifier,
/// else a string literal.
pub(crate) fn property_key(name: &str) -> String {
    if is_identifier(name) {
        name.to_owned()
    } else {
        ts_str(name)
    }
}

/// Property names that every plain object inherits from `Object.prototype`: reading one of them
/// from an object that lacks it as an own property does not give `undefined`.
pub(crate) const OBJECT_PROTOTYPE_NAMES: &[&str] = &[
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

/// Whether reading `name` from a plain object may find an inherited value.
pub(crate) fn is_inherited_name(name: &str) -> bool {
    OBJECT_PROTOTYPE_NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsdoc_escapes_comment_end() {
        let mut w = Writer::new("  ");
        jsdoc(&mut w, "a */ b\n\nc");
        assert_eq!(w.finish(), "/**\n * a *\\/ b\n *\n * c\n */\n");
    }

    #[test]
    fn keys_are_quoted_only_when_needed() {
        assert_eq!(property_key("keyId"), "keyId");
        assert_eq!(property_key("$x_1"), "$x_1");
        assert_eq!(property_key("foo-bar"), "\"foo-bar\"");
        assert_eq!(property_key("1a"), "\"1a\"");
        assert_eq!(property_key(""), "\"\"");
    }
}
