//! The code generator behind `cargo xtask codegen`: reads the Bot API spec (`api.json`) and writes
//! `crates/telegram-types/src/generated/` and `crates/telegram-transport/src/generated/`.
//!
//! `spec` reads the file, `model` decides what every spec entry becomes in Rust, `emit` prints it,
//! and `rustfmt` formats the result so the committed files read like hand-written ones.
//!
//! # Decoding rules the generated types follow
//!
//! - An optional field is an `Option`, an optional "True, if …" flag a plain `bool` (absent =
//!   `false`).
//! - A field the spec marks required but whose type is `Boolean` or an array decodes as `false`
//!   / empty when the JSON leaves it out ([`model::Field::empty_when_absent`]): Telegram adds
//!   such fields to existing objects in new versions, and an older server or a stored update
//!   must still decode. Every other required field is strict. Encoding always writes them.
//! - A key an object does not know (a field newer than the spec) is kept, with its value, in
//!   the object's `extra` map (`Option<Box<telegram_types::Extra>>`, `None` when there are
//!   none) and written back on encode. Every object's `Deserialize` is therefore generated
//!   (`emit/deserialize.rs`), not derived: the derive would drop such keys, and
//!   `#[serde(flatten)]` would buffer every unknown key through serde's `Content`. A variant of
//!   a tagged union knows its tag key, so the tag never lands in `extra`.

pub mod emit;
pub mod loc;
pub mod model;
pub mod names;
pub mod spec;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use emit::{OutputFile, GENERATED_DIR, GENERATED_DIRS, REQUESTS_DIR};

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repo")
        .to_path_buf()
}

/// Where the spec is by default: `../shared/bot-api/api.json`, beside the repository.
pub fn default_spec_path() -> PathBuf {
    repo_root().join("../shared/bot-api/api.json")
}

/// Generates every file from the spec at `spec_path` and formats it with rustfmt.
pub fn generate(spec_path: &Path) -> Result<Vec<OutputFile>, String> {
    let spec = spec::Spec::load(spec_path)?;
    let model = model::Model::build(&spec)?;
    let mut files = emit::files(&model);
    files.extend(emit::request_files(&model)?);
    format_files(files)
}

/// Writes `files` under `root`, replacing the generated folders entirely so removed types vanish.
pub fn write(files: &[OutputFile], root: &Path) -> Result<(), String> {
    for dir in GENERATED_DIRS {
        let dir = root.join(dir);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
    }
    for f in files {
        let path = root.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &f.contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Runs rustfmt once over each generated tree (it follows `mod` declarations from `mod.rs`).
fn format_files(files: Vec<OutputFile>) -> Result<Vec<OutputFile>, String> {
    let scratch = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    write(&files, &scratch)?;
    let status = Command::new("rustfmt")
        .args(["--edition", "2021", "--config", "max_width=100"])
        .args(
            GENERATED_DIRS
                .iter()
                .map(|dir| scratch.join(dir).join("mod.rs")),
        )
        .status()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    if !status.success() {
        return Err(format!(
            "rustfmt failed on the generated code ({status}); see {}",
            scratch.display()
        ));
    }
    let formatted = files
        .into_iter()
        .map(|f| {
            let contents = std::fs::read_to_string(scratch.join(&f.path))
                .map_err(|e| format!("cannot read back {}: {e}", f.path))?;
            Ok(OutputFile {
                path: f.path,
                contents,
            })
        })
        .collect::<Result<Vec<_>, String>>();
    let _ = std::fs::remove_dir_all(&scratch);
    formatted
}
