//! `telegram-transport`'s typed methods: for every API method, the `Bot` method that starts a
//! request (`bot.send_message(chat, "hi")`), the same method on `blocking::Bot`, one setter per
//! optional parameter on `Request<Payload, C>` (shared by both flavours), and the `Payload` impl
//! that says how the response decodes.
//!
//! The argument conventions are the payload's own (`emit::methods::argument`), so
//! `bot.send_message(a, b)` accepts exactly what `SendMessage::new(a, b)` does.

use std::collections::BTreeSet;

use super::methods::argument;
use super::OutputFile;
use crate::model::{Field, Method, Model};
use crate::names::{doc_comment, literal, snake};

/// The folder the transport's generated files live in.
pub const REQUESTS_DIR: &str = "crates/telegram-transport/src/generated";

/// Methods `Request` has by hand; a parameter setter of the same name would clash.
const REQUEST_RESERVED: &[&str] = &[
    "new",
    "as_payload",
    "as_payload_mut",
    "into_payload",
    "send",
    "request_timeout",
    "into_future",
    "client",
];

/// Methods `Bot` has by hand; an API method of the same name would clash.
const BOT_RESERVED: &[&str] = &[
    "new",
    "with_transport",
    "with_api_url",
    "with_retry_policy",
    "call",
    "download",
    "download_path",
    "token",
    "api_url",
    "transport",
    "retry_policy",
];

/// Methods whose response `Payload` decodes by hand (in `telegram-transport/src/`).
const HAND_DECODED: &[&str] = &["getUpdates"];

/// Every file of `crates/telegram-transport/src/generated/`.
pub(super) fn files(model: &Model, header: &str) -> Result<Vec<OutputFile>, String> {
    let mut out = Vec::new();
    let mut modules = Vec::new();
    for m in &model.methods {
        let module = snake(&m.api_name);
        out.push(OutputFile {
            path: format!("{REQUESTS_DIR}/{module}.rs"),
            contents: format!("{header}{}", emit(m)?),
        });
        modules.push(module);
    }
    modules.sort();
    let mut index = String::from(
        "//! Code generated from the Bot API spec by `cargo xtask codegen`: a `Bot` method, a \
         `blocking::Bot` method and the `Request` setters for every API method. Hand-written \
         code lives beside this folder, never inside it.\n\n",
    );
    for module in &modules {
        index.push_str(&format!("mod {module};\n"));
    }
    index.push_str("pub(crate) mod safe_to_repeat;\n");
    out.push(OutputFile {
        path: format!("{REQUESTS_DIR}/mod.rs"),
        contents: format!("{header}{index}"),
    });
    out.push(OutputFile {
        path: format!("{REQUESTS_DIR}/safe_to_repeat.rs"),
        contents: format!("{header}{}", safe_to_repeat(model)),
    });
    Ok(out)
}

fn emit(m: &Method) -> Result<String, String> {
    let method = snake(&m.api_name);
    if BOT_RESERVED.contains(&method.as_str()) {
        return Err(format!(
            "{}: `Bot::{method}` is written by hand",
            m.api_name
        ));
    }
    let required: Vec<&Field> = m.params.iter().filter(|p| p.required).collect();
    let optional: Vec<&Field> = m.params.iter().filter(|p| !p.required).collect();
    for p in &optional {
        if REQUEST_RESERVED.contains(&p.rust.as_str()) {
            return Err(format!(
                "{}: the setter `{}` clashes with a `Request` method",
                m.api_name, p.rust
            ));
        }
    }

    let mut names = BTreeSet::new();
    for p in &m.params {
        p.ty.names(&mut names);
    }
    let hand_decoded = HAND_DECODED.contains(&m.api_name.as_str());
    if !hand_decoded {
        names.extend(m.output_names.iter().cloned());
    }

    let mut out = format!("//! `{}`: `Bot::{method}` and its setters.\n\n", m.api_name);
    if !names.is_empty() {
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        out.push_str(&format!("use telegram_types::{{{}}};\n", list.join(", ")));
    }
    out.push_str(&format!("use telegram_types::methods::{};\n\n", m.name));
    out.push_str("use crate::{Bot, Request};\n\n");

    let params: Vec<String> = required
        .iter()
        .map(|p| format!("{}: {}", p.rust, argument(&p.ty).0))
        .collect();
    let args: Vec<&str> = required.iter().map(|p| p.rust.as_str()).collect();
    let signature = if params.is_empty() {
        "&self".to_owned()
    } else {
        format!("&self, {}", params.join(", "))
    };
    let constructor = format!("{}::new({})", m.name, args.join(", "));

    out.push_str("impl Bot {\n");
    out.push_str(&doc_comment(&m.doc, "    "));
    out.push_str(&format!(
        "    ///\n    /// Sent when awaited; set optional parameters on the [`Request`] first. Parameters: [`{}`].\n",
        m.name
    ));
    out.push_str(&format!(
        "    pub fn {method}({signature}) -> Request<{0}> {{\n        Request::new(self.clone(), {constructor})\n    }}\n}}\n\n",
        m.name
    ));

    out.push_str("#[cfg(feature = \"blocking\")]\nimpl crate::blocking::Bot {\n");
    out.push_str(&doc_comment(&m.doc, "    "));
    out.push_str(&format!(
        "    ///\n    /// Sent by [`Request::send`]; set optional parameters on the [`Request`] first. Parameters: [`{}`].\n",
        m.name
    ));
    out.push_str(&format!(
        "    pub fn {method}({signature}) -> Request<{0}, crate::blocking::Bot> {{\n        Request::new(self.clone(), {constructor})\n    }}\n}}\n",
        m.name
    ));

    if !optional.is_empty() {
        out.push_str(&format!("\nimpl<C> Request<{}, C> {{\n", m.name));
        for (i, p) in optional.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let (arg, _) = argument(&p.ty);
            out.push_str(&doc_comment(std::slice::from_ref(&p.doc), "    "));
            out.push_str(&format!(
                "    pub fn {0}(mut self, value: {arg}) -> Self {{\n        self.payload = self.payload.{0}(value);\n        self\n    }}\n",
                p.rust
            ));
        }
        out.push_str("}\n");
    }

    if !hand_decoded {
        out.push_str(&format!(
            "\nimpl crate::Payload for {} {{\n    type Response = {};\n\n    fn decode(body: &[u8]) -> crate::payload::Decoded<Self::Response> {{\n        crate::payload::decode_envelope(body)\n    }}\n}}\n",
            m.name, m.output
        ));
    } else {
        out.push_str(&format!(
            "\n// `impl Payload for {}` is written by hand ({} decodes differently).\n",
            m.name,
            literal(&m.api_name)
        ));
    }
    Ok(out)
}

/// The sorted list of the methods the retry policy repeats by default.
fn safe_to_repeat(model: &Model) -> String {
    let mut names: Vec<&str> = model
        .methods
        .iter()
        .filter(|m| m.safe_to_repeat)
        .map(|m| m.api_name.as_str())
        .collect();
    names.sort_unstable();
    let mut out = String::from(
        "//! The methods [`RetryPolicy`](crate::RetryPolicy) repeats by default after a 5xx \
         answer or a connection failure, chosen by `cargo xtask codegen` from their names \
         (`xtask/src/model/config.rs`, `SAFE_TO_REPEAT_VERBS`).\n\n\
         /// Every method safe to repeat, by API name, sorted: those that read (`get*`), answer \
         a query once (`answer*`), or set a state to a given value (`edit*`, `set*`, \
         `delete*`, `ban*`, `pin*`, …). Sends, copies, forwards, creations, payments and \
         `getUpdates` (its polling loop has its own backoff) are not in it.\n\
         pub const SAFE_TO_REPEAT: &[&str] = &[\n",
    );
    for name in names {
        out.push_str(&format!("    {},\n", literal(name)));
    }
    out.push_str("];\n");
    out
}
