//! URI references as `$id` and `$ref` use them (RFC 3986): splitting into components, resolving a
//! reference against a base (§5.2, with `remove_dot_segments`), and writing the result back
//! (§5.3). The generator never fetches anything: a resolved URI is only a key into the documents
//! of the input.

/// The five components of a URI reference (RFC 3986 §3, split as in its appendix B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriRef {
    /// `http`, `urn`, `file`... (lower-cased; schemes are case-insensitive).
    pub(crate) scheme: Option<String>,
    /// What follows `//`, up to the path.
    pub(crate) authority: Option<String>,
    /// The path (possibly empty).
    pub(crate) path: String,
    /// What follows `?`, up to the fragment.
    pub(crate) query: Option<String>,
    /// What follows `#`.
    pub(crate) fragment: Option<String>,
}

impl UriRef {
    /// Splits `text` into its components. Every string splits (appendix B's expression matches
    /// all of them); a leading `name:` is a scheme only when `name` is one (`ALPHA *( ALPHA /
    /// DIGIT / "+" / "-" / "." )`), otherwise the text is a path.
    pub(crate) fn parse(text: &str) -> Self {
        let (rest, fragment) = match text.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment.to_owned())),
            None => (text, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query.to_owned())),
            None => (rest, None),
        };
        let (scheme, rest) = match rest.split_once(':') {
            Some((scheme, after)) if is_scheme(scheme) => {
                (Some(scheme.to_ascii_lowercase()), after)
            }
            _ => (None, rest),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                (Some(after[..end].to_owned()), after[end..].to_owned())
            }
            None => (None, rest.to_owned()),
        };
        UriRef {
            scheme,
            authority,
            path,
            query,
            fragment,
        }
    }

    /// Whether the reference is an absolute URI (it has a scheme), so it can be a base.
    pub(crate) fn is_absolute(&self) -> bool {
        self.scheme.is_some()
    }

    /// `self` resolved against the absolute `base` (RFC 3986 §5.2.2, strict).
    pub(crate) fn resolve_against(&self, base: &UriRef) -> UriRef {
        if self.scheme.is_some() {
            return UriRef {
                path: remove_dot_segments(&self.path),
                ..self.clone()
            };
        }
        if self.authority.is_some() {
            return UriRef {
                scheme: base.scheme.clone(),
                path: remove_dot_segments(&self.path),
                ..self.clone()
            };
        }
        let (path, query) = if self.path.is_empty() {
            (
                base.path.clone(),
                self.query.clone().or_else(|| base.query.clone()),
            )
        } else if self.path.starts_with('/') {
            (remove_dot_segments(&self.path), self.query.clone())
        } else {
            (
                remove_dot_segments(&merge(base, &self.path)),
                self.query.clone(),
            )
        };
        UriRef {
            scheme: base.scheme.clone(),
            authority: base.authority.clone(),
            path,
            query,
            fragment: self.fragment.clone(),
        }
    }

    /// The reference without its fragment.
    pub(crate) fn without_fragment(&self) -> UriRef {
        UriRef {
            fragment: None,
            ..self.clone()
        }
    }
}

impl std::fmt::Display for UriRef {
    /// Recomposes the reference (RFC 3986 §5.3).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(scheme) = &self.scheme {
            write!(f, "{scheme}:")?;
        }
        if let Some(authority) = &self.authority {
            write!(f, "//{authority}")?;
        }
        f.write_str(&self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        if let Some(fragment) = &self.fragment {
            write!(f, "#{fragment}")?;
        }
        Ok(())
    }
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// RFC 3986 §5.2.3.
fn merge(base: &UriRef, path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        return format!("/{path}");
    }
    match base.path.rfind('/') {
        Some(slash) => format!("{}{path}", &base.path[..=slash]),
        None => path.to_owned(),
    }
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            input = if input == "/.." { "/" } else { &input[3..] };
            match output.rfind('/') {
                Some(slash) => output.truncate(slash),
                None => output.clear(),
            }
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            output.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::UriRef;

    fn resolve(base: &str, reference: &str) -> String {
        UriRef::parse(reference)
            .resolve_against(&UriRef::parse(base))
            .to_string()
    }

    /// RFC 3986 §5.4.1 and §5.4.2: every example, against its base `http://a/b/c/d;p?q`.
    #[test]
    fn the_rfc_examples_resolve_as_written() {
        let base = "http://a/b/c/d;p?q";
        let cases = [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g#s/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
            ("http:g", "http:g"),
        ];
        for (reference, expected) in cases {
            assert_eq!(resolve(base, reference), expected, "{reference}");
        }
    }

    #[test]
    fn urns_and_file_uris_are_bases_too() {
        let urn = "urn:uuid:deadbeef-1234-0000-0000-4321feebdaed";
        assert_eq!(
            resolve(urn, "#/definitions/bar"),
            format!("{urn}#/definitions/bar")
        );
        assert_eq!(
            resolve("file:///folder/file.json", "other.json"),
            "file:///folder/other.json"
        );
        assert_eq!(resolve("http://x/a/", "b/c.json"), "http://x/a/b/c.json");
        assert!(!UriRef::parse("a_b:c").is_absolute());
        assert!(UriRef::parse("HTTP://x").is_absolute());
        assert_eq!(UriRef::parse("HTTP://x/").to_string(), "http://x/");
    }
}
