//! The committed generated code must be what the generator writes from the spec today.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let spec = xtask::default_spec_path();
    if !spec.exists() {
        eprintln!(
            "skipped: no spec at {} (the check needs ../shared/bot-api/api.json)",
            spec.display()
        );
        return;
    }
    let files = xtask::generate(&spec).expect("the generator runs on the spec");
    let root = xtask::repo_root();
    let mut stale = Vec::new();
    for f in &files {
        match std::fs::read_to_string(root.join(&f.path)) {
            Ok(committed) if committed == f.contents => {}
            Ok(_) => stale.push(format!("differs: {}", f.path)),
            Err(_) => stale.push(format!("missing: {}", f.path)),
        }
    }
    let expected: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    for dir in xtask::GENERATED_DIRS {
        for path in committed_files(&root.join(dir), &root) {
            if !expected.contains(&path) {
                stale.push(format!("no longer generated: {path}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo xtask codegen`:\n{}",
        stale.join("\n")
    );
}

fn committed_files(dir: &Path, root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(committed_files(&path, root));
        } else {
            out.push(
                path.strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out
}
