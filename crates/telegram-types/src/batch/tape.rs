//! The simd path's way past an update that does not fit the types: simd-json parses the whole
//! body into a tape before the first update is read, so when the typed pass stops at an update
//! the parse has already succeeded and the tape holds every update after it. They are decoded
//! from there, in typed passes over the tape's nodes: no byte scan of the body and no second
//! parse (the two cost more than the clean decode did).
//!
//! The tape says where each element ends (an object or array node counts the nodes inside it),
//! so finding the updates is a walk over the `result` array's elements, not over their bytes.

use serde::de::DeserializeSeed;
use simd_json::{Node, Tape};

use super::seed::{Progress, Updates};
use super::{malformed_value, UpdateResult};
use crate::json;

/// Pushes onto `out` the update the typed pass stopped at (the `decoded`-th, as a malformed
/// update carrying `error`) and every update after it, decoded from `tape`. `false` when the
/// tape is no envelope with a `result` array holding that update; `out` is then untouched.
pub(super) fn resume(
    tape: &Tape<'_>,
    decoded: usize,
    error: &json::Error,
    out: &mut Vec<UpdateResult>,
) -> bool {
    let nodes = tape.0.as_slice();
    let Some(bounds) = result_elements(nodes) else {
        return false;
    };
    // `bounds[i]..bounds[i + 1]` are the nodes of element `i`.
    let elements = bounds.len() - 1;
    if decoded >= elements {
        return false;
    }
    let (mut failed, mut later_error) = (decoded, None);
    loop {
        out.push(Err(malformed_value(
            value_of(&nodes[bounds[failed]..bounds[failed + 1]]),
            later_error.as_ref().unwrap_or(error),
        )));
        let next = failed + 1;
        if next == elements {
            return true;
        }
        let mut run = Vec::with_capacity(1 + bounds[elements] - bounds[next]);
        run.push(Node::Array {
            len: elements - next,
            count: bounds[elements] - bounds[next],
        });
        run.extend_from_slice(&nodes[bounds[next]..bounds[elements]]);
        let mut run = Tape(run);
        let mut progress = Progress::default();
        let pass = json::simd::deserialize(&mut run, |de| {
            Updates::new(out, &mut progress).deserialize(de)
        });
        match pass {
            Ok(()) => return true,
            // The tape is valid JSON, so a pass can only stop inside an update.
            Err(stopped) => {
                failed = next + progress.decoded;
                later_error = Some(stopped.into());
            }
        }
    }
}

/// Where each element of the envelope's `result` array starts, then where the last one ends
/// (tape indices). `None` when the root is no object with a `result` array.
fn result_elements(nodes: &[Node<'_>]) -> Option<Vec<usize>> {
    let Node::Object { len: members, .. } = nodes.first()? else {
        return None;
    };
    let mut at = 1;
    for _ in 0..*members {
        let is_result = matches!(nodes.get(at)?, Node::String("result"));
        at += 1;
        if !is_result {
            at += size(nodes.get(at)?);
            continue;
        }
        let Node::Array { len, .. } = nodes.get(at)? else {
            return None;
        };
        let mut bounds = Vec::with_capacity(len + 1);
        at += 1;
        for _ in 0..*len {
            bounds.push(at);
            at += size(nodes.get(at)?);
        }
        bounds.push(at);
        return Some(bounds);
    }
    None
}

/// The number of tape nodes the value starting with `node` takes.
fn size(node: &Node<'_>) -> usize {
    match node {
        Node::Object { count, .. } | Node::Array { count, .. } => count + 1,
        _ => 1,
    }
}

/// The value whose nodes are `nodes`, as a DOM.
fn value_of(nodes: &[Node<'_>]) -> serde_json::Value {
    // A tape the parser filled always reads as a value.
    Tape(nodes.to_vec())
        .deserialize()
        .unwrap_or(serde_json::Value::Null)
}
