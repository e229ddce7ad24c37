//! `devicekey-codegen`: the generator's command line (see [`devicekey_codegen::cli`] and
//! `devicekey-codegen --help`).

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    devicekey_codegen::cli::run(std::env::args_os().skip(1))
}
