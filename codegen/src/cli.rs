//! The generator's command line: `devicekey-codegen generate INPUT --out DIR [--profile P]
//! [--name NAME]` writes a Rust crate (`DIR/rust`) and an npm package (`DIR/ts`) from a folder of
//! schema files or one bundle file. [`run`] is the whole program; `main` only calls it.
//!
//! Exit codes: 0 written; 1 the schemas are refused (every error printed with its
//! `file#pointer`); 2 a usage error or an input that cannot be read (one line); 3 the output
//! folder is refused or cannot be written (one line). Nothing is written unless generation
//! succeeded.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli_input::{self, InputError};
use crate::cli_output::{self, MARKER};
use crate::error::Error;
use crate::pipeline::{emit_packages, key_order_of_files, Target};
use crate::schema_set::Profile;

/// The program's name, as the help shows it.
const PROGRAM: &str = "devicekey-codegen";

/// Exit code: the schemas are refused.
const REFUSED: u8 = 1;
/// Exit code: a usage error, or an input that cannot be read.
const USAGE: u8 = 2;
/// Exit code: the output folder is refused or cannot be written.
const OUTPUT: u8 = 3;

const HELP: &str = "\
devicekey-codegen: Rust and TypeScript types and validators from JSON Schema (draft-07)

Usage:
  devicekey-codegen generate INPUT --out DIR [--profile general|protocol] [--name NAME]
  devicekey-codegen --help | generate --help | --version

Run `devicekey-codegen generate --help` for the inputs, the outputs, the profiles and the exit
codes.
";

const GENERATE_HELP: &str = "\
devicekey-codegen generate: write a Rust crate and an npm package from JSON Schema (draft-07)

Usage:
  devicekey-codegen generate INPUT --out DIR [--profile general|protocol] [--name NAME]

INPUT is either
  a folder of schema files: every `*.json` file in it (not hidden, not in subfolders) is one
    root type, named by its file stem. A stem that is not a PascalCase type name is made one from
    its words (`device-key.json` is `DeviceKey`, and `$ref`s to `device-key.json` follow); a stem
    that cannot be made one (no letter first, non-ASCII) is refused, and so are two files that
    give the same type name, and a name the TypeScript package exports for itself (ParseResult,
    TypeName, TypesByName, Violation). Files refer to one another as `\"$ref\": \"Other.json\"` or
    `\"Other.json#/pointer\"`. With --profile protocol, `methods.json` is the JSON-RPC method table,
    not a schema (as in the repository's schema/ folder).
  or one bundle file: a JSON object whose `definitions` entries are the types, one type per entry,
    named by the entry's name as above; `\"$ref\": \"#/definitions/Other\"` inside it refers to
    another type. Its root holds nothing else that validates (`$schema`, `$id`, `title`,
    `description` and `$comment` only).

Options:
  --out DIR        where to write (required). DIR/rust is a standalone Rust crate: its own
                   `[workspace]`, dependencies serde and serde_json (regex or regress when a
                   pattern needs one) with explicit versions, and the rustfmt.toml its code is
                   formatted with; it builds with no warnings. DIR/ts is
                   an npm package (package.json, a strict tsconfig.json, ES modules built by tsc
                   into dist/). DIR must be new, empty, or written by an earlier run (it lists its
                   files in DIR/.devicekey-codegen.json; a rerun replaces them, removes the ones it
                   no longer writes and leaves every other file alone).
  --profile P      general (the default) or protocol; see below.
  --name NAME      the crate and npm package name (lowercase letters, digits, single hyphens,
                   a letter first); by default made from INPUT's folder or file name.
  -h, --help       this help.

What each package has, per type Foo:
  Rust: `types::Foo` (serde, from typify), `validators::validate_foo(&Value) -> Result<(),
    Vec<Violation>>`, `validators::is_valid_foo(&Value) -> bool`, and by name
    `validators::validate_by_name(name, &Value) -> Option<Result<(), Vec<Violation>>>` (None for a
    name that is no type), `validators::TYPE_NAMES`.
  TypeScript: the type `Foo`, `validateFoo(value): Violation[]`, the guard `isFoo(value)`, and by
    name `validate(name: TypeName, value): Violation[]`, typed by the `TypeName` union of the type
    names, with the list `TYPE_NAMES`; from untyped JavaScript, a name that is no type throws a
    TypeError naming the known ones.
  Every violation has its instance path, schema path, keyword and message, the same in both
  languages, in the same order.

Profiles:
  general   any draft-07 schema whose keywords the validators implement: types, properties,
            required, additionalProperties, patternProperties, propertyNames, dependencies, enum,
            const, the string, number, array and object bounds, pattern (ECMA-262, translated),
            multipleOf, items, additionalItems, contains, uniqueItems, oneOf, anyOf, allOf, not,
            if/then/else, $ref, definitions, and the named formats. What no validator checks is
            accepted with a warning on stderr, naming its file#pointer: annotations (examples,
            readOnly, writeOnly, deprecated, contentMediaType, contentEncoding), unknown keywords
            (x-... included) and unknown formats (draft-07 says a format a validator does not know
            accepts every value); the number formats schemars writes (int8...uint64, uint, float,
            double) are checked as ranges.
            Refused, because the generated validators would not mean what the schema says: a
            keyword with a malformed value, a pattern the translation cannot express, a `$ref` that
            points at nothing, outside the input, at a named anchor or through a keyword that holds
            no schema, an `$id` that would change what a `$ref` resolves to, and any `$schema`
            other than draft-07. The validators take every keyword above, but the Rust types come
            from typify, which cannot express some of them (if/then/else, tuple `items`, an enum
            of values of several JSON types without `type`, `$ref: \"#\"`) or gives two
            properties one field name (`a-b` and `a_b`): such input is refused with the reason,
            rather than written as a crate that does not build.
  protocol  the repository's own rules for protocol schemas, stricter so that the types read well
            in both languages: only the keywords the type emitters shape types after (no allOf,
            anyOf, not, if/then/else, exclusive bounds, multipleOf, additionalItems, contains,
            min/maxProperties, propertyNames, patternProperties, dependencies), only the named
            formats, no annotation or unknown keyword; every document has `title` equal to its
            type name and a `description`, every property a `description`, every object with
            `properties` states `additionalProperties`. Every broken rule of every document is
            reported at once.

Exit codes:
  0  written
  1  the schemas are refused: every error on stderr as `file#pointer: reason`; nothing is written
  2  usage error (unknown option or profile, no INPUT, no --out, a bad --name) or an INPUT that
     cannot be read (missing, not JSON, a folder with no `*.json`, a file that is not a bundle)
  3  the output folder is refused (it holds files the generator did not write, or a symbolic
     link on the way) or cannot be written
";

/// Runs the command line on `args` (without the program name) and returns the exit code; writes
/// help and the summary to stdout, errors and warnings to stderr.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return usage_error(&format!(
            "no command given: run `{PROGRAM} generate INPUT --out DIR` (see `{PROGRAM} --help`)"
        ));
    };
    match command.to_str() {
        Some("-h" | "--help" | "help") => print_out(HELP),
        Some("-V" | "--version") => {
            print_out(&format!("{PROGRAM} {}\n", env!("CARGO_PKG_VERSION")))
        }
        Some("generate") => match parse_generate(args) {
            Ok(Some(options)) => generate(&options),
            Ok(None) => print_out(GENERATE_HELP),
            Err(message) => usage_error(&message),
        },
        _ => usage_error(&format!(
            "unknown command `{}`: the command is `generate` (see `{PROGRAM} --help`)",
            command.to_string_lossy()
        )),
    }
}

/// The options of `generate`.
#[derive(Debug)]
struct Options {
    input: PathBuf,
    out: PathBuf,
    profile: Profile,
    name: Option<String>,
}

/// Parses the arguments after `generate`: `None` for `--help`.
fn parse_generate(args: impl Iterator<Item = OsString>) -> Result<Option<Options>, String> {
    let mut args = args;
    let (mut input, mut out, mut profile, mut name) = (None, None, None, None);
    let see = format!("see `{PROGRAM} generate --help`");
    while let Some(arg) = args.next() {
        let text = arg.to_str();
        let (option, inline) = match text {
            Some(t) if t.starts_with("--") && t.len() > 2 => match t.split_once('=') {
                Some((option, value)) => (Some(option.to_owned()), Some(OsString::from(value))),
                None => (Some(t.to_owned()), None),
            },
            Some("-h") => (Some("--help".to_owned()), None),
            Some(t) if t.starts_with('-') && t.len() > 1 => {
                return Err(format!("unknown option `{t}` ({see})"))
            }
            _ => (None, None),
        };
        let Some(option) = option else {
            if let Some(first) = &input {
                return Err(format!(
                    "one INPUT only: `{}` follows `{}` ({see})",
                    arg.to_string_lossy(),
                    Path::new(first).display()
                ));
            }
            input = Some(PathBuf::from(arg));
            continue;
        };
        let mut value = |option: &str| -> Result<OsString, String> {
            match inline.clone().or_else(|| args.next()) {
                Some(value) if !value.is_empty() => Ok(value),
                _ => Err(format!("`{option}` needs a value ({see})")),
            }
        };
        match option.as_str() {
            "--help" => return Ok(None),
            "--out" => {
                let dir = value("--out")?;
                if out.replace(PathBuf::from(dir)).is_some() {
                    return Err(format!("`--out` is given twice ({see})"));
                }
            }
            "--profile" => {
                let given = value("--profile")?;
                let parsed = match given.to_str() {
                    Some("general") => Profile::General,
                    Some("protocol") => Profile::Protocol,
                    _ => {
                        return Err(format!(
                            "unknown profile `{}`: expected `general` or `protocol`",
                            given.to_string_lossy()
                        ))
                    }
                };
                if profile.replace(parsed).is_some() {
                    return Err(format!("`--profile` is given twice ({see})"));
                }
            }
            "--name" => {
                let given = value("--name")?;
                let given = given.to_str().map(str::to_owned).ok_or_else(|| {
                    format!("`--name` `{}` is not UTF-8", given.to_string_lossy())
                })?;
                if name.replace(given).is_some() {
                    return Err(format!("`--name` is given twice ({see})"));
                }
            }
            other => return Err(format!("unknown option `{other}` ({see})")),
        }
    }
    let input = input.ok_or_else(|| {
        format!("no INPUT given: a folder of schema files or one bundle file ({see})")
    })?;
    let out = out.ok_or_else(|| {
        format!("no `--out DIR` given: the folder to write the rust/ and ts/ packages into ({see})")
    })?;
    Ok(Some(Options {
        input,
        out,
        profile: profile.unwrap_or(Profile::General),
        name,
    }))
}

fn generate(options: &Options) -> ExitCode {
    if let Some(name) = &options.name {
        if let Err(reason) = check_package_name(name) {
            return usage_error(&format!("`--name {name}`: {reason}"));
        }
    }
    let name = match &options.name {
        Some(name) => name.clone(),
        None => match cli_input::input_stem(&options.input).map(|s| package_name_of(&s)) {
            Some(Ok(name)) => name,
            Some(Err(reason)) => {
                return usage_error(&format!(
                    "cannot name the packages after `{}`: {reason}; give one with `--name`",
                    options.input.display()
                ))
            }
            None => {
                return usage_error(&format!(
                    "cannot name the packages after `{}`; give one with `--name`",
                    options.input.display()
                ))
            }
        },
    };
    let input = match cli_input::load(&options.input, options.profile) {
        Ok(input) => input,
        Err(InputError::Unreadable(message)) => return usage_error(&message),
        Err(InputError::Refused(error)) => return refused(&error),
    };
    for warning in &input.warnings {
        eprintln!("warning: {warning}");
    }
    let target = Target::Standalone { name: name.clone() };
    let order = key_order_of_files(&input.set);
    let emitted = emit_packages(&input.set, input.methods.as_deref(), &target, None, &order);
    let files = match emitted {
        Ok(files) => files,
        Err(error) => {
            // The emitters name the repository's schema folder for errors about the whole set.
            let mut error = input.locations.error(error);
            let mut others = std::mem::take(&mut error.others);
            for error in std::iter::once(&mut error).chain(others.iter_mut()) {
                if error.file == Path::new("schema/") {
                    error.file = options.input.clone();
                }
            }
            error.others = others;
            return refused(&error);
        }
    };
    match cli_output::write(&options.out, &files) {
        Ok(done) => {
            let out = options.out.display();
            let types = input.set.docs.len();
            print_out(&format!(
                "{out}/rust: crate `{name}`, {out}/ts: npm package `{name}`; {types} type{}, {} files ({} written, {} removed, listed in {out}/{MARKER})\n",
                if types == 1 { "" } else { "s" },
                files.len(),
                done.written,
                done.removed,
            ))
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(OUTPUT)
        }
    }
}

/// Names a package can never have: they would clash with the crates the generated one depends on
/// or that every Rust crate sees, or make its library name a Rust keyword.
const RESERVED_NAMES: &[&str] = &[
    "serde",
    "serde_json",
    "serde_derive",
    "regex",
    "regress",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
];

/// Whether `name` can name both the crate and the npm package.
fn check_package_name(name: &str) -> Result<(), String> {
    let shape = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !shape {
        return Err("a package name is lowercase ASCII letters and digits in words joined by single hyphens, a letter first, at most 64 characters".to_owned());
    }
    if RESERVED_NAMES.contains(&name.replace('-', "_").as_str()) {
        return Err(format!(
            "`{name}` is taken: the crate would clash with a crate it uses or a Rust keyword"
        ));
    }
    Ok(())
}

/// A package name made from a folder or file name: its words in lowercase, joined by hyphens
/// (`DeviceKey_Schemas` → `device-key-schemas`).
fn package_name_of(stem: &str) -> Result<String, String> {
    let mut name = String::new();
    let mut previous_lower = false;
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                name.push('-');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            name.push(c.to_ascii_lowercase());
        } else {
            if !name.ends_with('-') {
                name.push('-');
            }
            previous_lower = false;
        }
    }
    let name = name.trim_matches('-').to_owned();
    check_package_name(&name)?;
    Ok(name)
}

fn print_out(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE)
}

/// The schemas' errors, one `error: file#pointer: reason` line each (a reason that spans lines is
/// put on one).
fn refused(error: &Error) -> ExitCode {
    for error in error.each() {
        let reason = error
            .reason
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match &error.pointer {
            Some(pointer) => eprintln!("error: {}#{pointer}: {reason}", error.file.display()),
            None => eprintln!("error: {}: {reason}", error.file.display()),
        }
    }
    ExitCode::from(REFUSED)
}

#[cfg(test)]
mod tests {
    use super::{check_package_name, package_name_of};

    #[test]
    fn package_names_come_from_folder_names() {
        assert_eq!(package_name_of("json").as_deref(), Ok("json"));
        assert_eq!(
            package_name_of("DeviceKey_Schemas").as_deref(),
            Ok("device-key-schemas")
        );
        assert_eq!(package_name_of("my types v2").as_deref(), Ok("my-types-v2"));
        assert!(package_name_of("2fa").is_err());
        assert!(package_name_of("serde").is_err());
        assert!(check_package_name("a--b").is_err());
        assert!(check_package_name("type").is_err());
        assert!(check_package_name("my-types").is_ok());
    }
}
