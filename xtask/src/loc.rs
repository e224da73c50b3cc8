//! `cargo xtask loc`: code lines of the python-telegram-bot ports in `examples/`, counted the way
//! issue 17 counts PTB's (no comments, doc comments or blank lines), next to PTB's own counts.
//! The offline scaffolding (`examples/support/`) is a separate file and not counted; every line
//! of a port's own file that is code is.

use std::path::Path;

/// A port: its file under `examples/` (PTB's name) and PTB's count of code lines.
#[derive(Debug, Clone, Copy)]
pub struct Port {
    /// The example's name, PTB's file name without `.py`.
    pub name: &'static str,
    /// Code lines of PTB's example.
    pub ptb_lines: usize,
}

/// The ports so far, with PTB's counts (issue 17).
pub const PORTS: &[Port] = &[
    Port {
        name: "echobot",
        ptb_lines: 30,
    },
    Port {
        name: "inlinekeyboard",
        ptb_lines: 36,
    },
    Port {
        name: "errorhandlerbot",
        ptb_lines: 48,
    },
    Port {
        name: "inlinebot",
        ptb_lines: 53,
    },
    Port {
        name: "pollbot",
        ptb_lines: 126,
    },
    Port {
        name: "contexttypesbot",
        ptb_lines: 94,
    },
    Port {
        name: "timerbot",
        ptb_lines: 52,
    },
    Port {
        name: "conversationbot",
        ptb_lines: 109,
    },
    Port {
        name: "persistentconversationbot",
        ptb_lines: 122,
    },
    Port {
        name: "nestedconversationbot",
        ptb_lines: 270,
    },
];

/// Lines that are neither blank nor comments (`//`, `///`, `//!`, and `/* … */` blocks).
pub fn code_lines(source: &str) -> usize {
    let mut in_block = false;
    source
        .lines()
        .map(str::trim)
        .filter(|line| {
            if in_block {
                in_block = !line.contains("*/");
                return false;
            }
            if line.starts_with("/*") {
                in_block = !line.contains("*/");
                return false;
            }
            !line.is_empty() && !line.starts_with("//")
        })
        .count()
}

/// Each port that exists under `root/examples/`, with our count.
pub fn count_ports(root: &Path) -> Vec<(Port, usize)> {
    PORTS
        .iter()
        .filter_map(|port| {
            let path = root.join("examples").join(format!("{}.rs", port.name));
            let source = std::fs::read_to_string(path).ok()?;
            Some((*port, code_lines(&source)))
        })
        .collect()
}

/// The table `cargo xtask loc` prints, in Markdown.
pub fn table(counts: &[(Port, usize)]) -> String {
    let mut out = String::from("| example | PTB | ours |\n| --- | ---: | ---: |\n");
    for (port, ours) in counts {
        out.push_str(&format!(
            "| {} | {} | {ours} |\n",
            port.name, port.ptb_lines
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_do_not_count() {
        let source =
            "//! module\n\n/// doc\nfn a() {\n    // why\n    b();\n}\n/* block\n still */\n";
        assert_eq!(code_lines(source), 3);
    }

    #[test]
    fn every_port_is_no_longer_than_ptb() {
        let counts = count_ports(&crate::repo_root());
        assert!(!counts.is_empty(), "no port found under examples/");
        for (port, ours) in counts {
            assert!(
                ours <= port.ptb_lines,
                "{}: {ours} code lines, PTB has {}",
                port.name,
                port.ptb_lines
            );
        }
    }
}
