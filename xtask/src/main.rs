//! `cargo xtask codegen [--spec PATH]`: regenerates `crates/telegram-types/src/generated/`.
//! `cargo xtask loc`: the python-telegram-bot ports' code lines next to PTB's.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("loc") => loc(),
        _ => {
            eprintln!("usage: cargo xtask codegen [--spec path/to/api.json] | cargo xtask loc");
            ExitCode::FAILURE
        }
    }
}

fn codegen(args: &[String]) -> ExitCode {
    let spec = match args {
        [] => xtask::default_spec_path(),
        [flag, path] if flag == "--spec" => PathBuf::from(path),
        _ => {
            eprintln!("usage: cargo xtask codegen [--spec path/to/api.json]");
            return ExitCode::FAILURE;
        }
    };
    let result = xtask::generate(&spec).and_then(|files| {
        xtask::write(&files, &xtask::repo_root())?;
        Ok(files.len())
    });
    match result {
        Ok(count) => {
            eprintln!(
                "wrote {count} files to {}",
                xtask::GENERATED_DIRS.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codegen failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the ports' line counts (a table for the report, hence stdout).
#[allow(clippy::print_stdout)]
fn loc() -> ExitCode {
    let counts = xtask::loc::count_ports(&xtask::repo_root());
    print!("{}", xtask::loc::table(&counts));
    ExitCode::SUCCESS
}
