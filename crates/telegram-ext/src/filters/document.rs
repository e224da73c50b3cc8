//! [`Document`]: messages with a general file, of any kind ([`DOCUMENT`]) or narrowed by MIME
//! type, MIME category or file extension, as python-telegram-bot's `filters.Document`.

use std::borrow::Cow;

use telegram_types::Update;

use super::{filter_ops, Filter, FilterResult};

/// Messages with a document; the constructors and constants narrow which documents pass.
///
/// MIME types and categories compare ignoring ASCII case (MIME types are case-insensitive);
/// file extensions too, as python-telegram-bot's default.
///
/// ```
/// use telegram_ext::filters::{self, Document};
///
/// let pdf = Document::mime_type("application/pdf") | Document::file_extension("pdf");
/// let pictures = Document::category("image") | Document::IMAGE;
/// let any_file = filters::DOCUMENT;
/// # let _ = (pdf, pictures, any_file);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Document {
    rule: Rule,
}

/// Which documents pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Rule {
    All,
    /// The MIME type equals this.
    MimeType(Cow<'static, str>),
    /// The MIME type starts with this (it ends with `/`).
    Category(Cow<'static, str>),
    /// The file name ends with this (it starts with `.`), or has no `.` when `None`.
    Extension(Option<String>),
}

/// Messages with any document (python-telegram-bot's `filters.Document.ALL`).
pub const DOCUMENT: Document = Document::ALL;

impl Document {
    /// Any document; the same as [`DOCUMENT`].
    pub const ALL: Document = Document { rule: Rule::All };
    /// Documents of MIME category `application/`.
    pub const APPLICATION: Document = Document::const_category("application/");
    /// Documents of MIME category `audio/`.
    pub const AUDIO: Document = Document::const_category("audio/");
    /// Documents of MIME category `image/`.
    pub const IMAGE: Document = Document::const_category("image/");
    /// Documents of MIME category `text/`.
    pub const TEXT: Document = Document::const_category("text/");
    /// Documents of MIME category `video/`.
    pub const VIDEO: Document = Document::const_category("video/");
    /// PDF documents (`application/pdf`).
    pub const PDF: Document = Document::const_mime_type("application/pdf");
    /// ZIP archives (`application/zip`).
    pub const ZIP: Document = Document::const_mime_type("application/zip");
    /// JPEG images (`image/jpeg`).
    pub const JPG: Document = Document::const_mime_type("image/jpeg");
    /// Plain text files (`text/plain`).
    pub const TXT: Document = Document::const_mime_type("text/plain");

    const fn const_category(category: &'static str) -> Self {
        Document {
            rule: Rule::Category(Cow::Borrowed(category)),
        }
    }

    const fn const_mime_type(mime_type: &'static str) -> Self {
        Document {
            rule: Rule::MimeType(Cow::Borrowed(mime_type)),
        }
    }

    /// Documents whose MIME type is `mime_type` (`"application/pdf"`).
    pub fn mime_type(mime_type: impl Into<String>) -> Self {
        Document {
            rule: Rule::MimeType(Cow::Owned(mime_type.into())),
        }
    }

    /// Documents whose MIME type starts with `category`: `"image"` and `"image/"` both mean
    /// `image/*`; a prefix with a `/` in it (`"application/vnd."`) is taken as it is.
    pub fn category(category: impl Into<String>) -> Self {
        let mut category = category.into();
        if !category.contains('/') {
            category.push('/');
        }
        Document {
            rule: Rule::Category(Cow::Owned(category)),
        }
    }

    /// Documents whose file name ends with `.extension` (`"pdf"`, `"tar.gz"`; a leading `.` is
    /// ignored), ignoring case.
    pub fn file_extension(extension: &str) -> Self {
        let extension = extension.strip_prefix('.').unwrap_or(extension);
        Document {
            rule: Rule::Extension(Some(format!(".{extension}"))),
        }
    }

    /// Documents whose file name has no extension (no `.`), as python-telegram-bot's
    /// `FileExtension(None)`.
    pub fn no_file_extension() -> Self {
        Document {
            rule: Rule::Extension(None),
        }
    }
}

impl Filter for Document {
    fn check(&self, update: &Update) -> FilterResult {
        let Some(document) = update
            .effective_message()
            .and_then(|m| m.document.as_deref())
        else {
            return FilterResult::No;
        };
        let mime_type = document.mime_type.as_deref();
        let file_name = document.file_name.as_deref();
        let pass = match &self.rule {
            Rule::All => true,
            Rule::MimeType(wanted) => mime_type.is_some_and(|m| m.eq_ignore_ascii_case(wanted)),
            Rule::Category(prefix) => mime_type.is_some_and(|m| starts_with_ignore_case(m, prefix)),
            Rule::Extension(Some(suffix)) => {
                file_name.is_some_and(|name| ends_with_ignore_case(name, suffix))
            }
            Rule::Extension(None) => file_name.is_some_and(|name| !name.contains('.')),
        };
        FilterResult::from_bool(pass)
    }
}

filter_ops!([] Document);

/// Whether `text` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Whether `text` ends with `suffix`, ignoring ASCII case.
fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .and_then(|start| text.as_bytes().get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{file, message, no_message, text};
    use super::*;

    fn document(fields: Value) -> Update {
        message(json!({ "document": file(fields) }))
    }

    #[test]
    fn document_passes_any_document_and_nothing_else() {
        assert!(DOCUMENT.matches(&document(json!({}))));
        assert!(!DOCUMENT.matches(&text("report.pdf")));
        assert!(!DOCUMENT.matches(&no_message()));
    }

    #[test]
    fn mime_type_compares_the_whole_type_ignoring_case() {
        let pdf = document(json!({"mime_type": "application/PDF", "file_name": "a.pdf"}));
        assert!(Document::mime_type("application/pdf").matches(&pdf));
        assert!(Document::PDF.matches(&pdf));
        assert!(!Document::mime_type("application/pd").matches(&pdf));
        assert!(!Document::ZIP.matches(&pdf));
        assert!(!Document::mime_type("application/pdf").matches(&document(json!({}))));
    }

    #[test]
    fn category_is_a_mime_prefix() {
        let png = document(json!({"mime_type": "image/png"}));
        assert!(Document::category("image").matches(&png));
        assert!(Document::category("image/").matches(&png));
        assert!(Document::IMAGE.matches(&png));
        assert!(!Document::category("imag").matches(&png));
        assert!(!Document::VIDEO.matches(&png));
        let svg = document(json!({"mime_type": "image/svg+xml"}));
        assert!(Document::category("image/svg").matches(&svg));
    }

    #[test]
    fn file_extension_ignores_case_and_leading_dot() {
        let report = document(json!({"file_name": "Report.PDF"}));
        assert!(Document::file_extension("pdf").matches(&report));
        assert!(Document::file_extension(".Pdf").matches(&report));
        assert!(!Document::file_extension("df").matches(&report));
        assert!(!Document::file_extension("doc").matches(&report));

        let archive = document(json!({"file_name": "src.tar.gz"}));
        assert!(Document::file_extension("tar.gz").matches(&archive));
        assert!(Document::file_extension("gz").matches(&archive));

        let unicode = document(json!({"file_name": "é"}));
        assert!(!Document::file_extension("pdf").matches(&unicode));
    }

    #[test]
    fn no_file_extension_wants_a_name_without_dot() {
        assert!(Document::no_file_extension().matches(&document(json!({"file_name": "Makefile"}))));
        assert!(!Document::no_file_extension().matches(&document(json!({"file_name": "a.txt"}))));
        assert!(!Document::no_file_extension().matches(&document(json!({}))));
    }
}
