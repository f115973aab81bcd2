//! Renderers: one value tree, written as JSON or XML, whole or with its list streamed.

mod stream;
mod xml;
mod yaml;

use crate::ApiFormat;
use serde_json::Value;

pub use stream::chunks;
pub use xml::to_xml;
pub use yaml::to_yaml;

/// Writes `body` in `format`; `root` names the XML root element.
pub fn render(format: ApiFormat, root: &str, body: &Value) -> Vec<u8> {
    match format {
        // Serialising a `Value` cannot fail: its map keys are strings.
        ApiFormat::Json => serde_json::to_vec(body).unwrap_or_default(),
        ApiFormat::Xml => to_xml(root, body).into_bytes(),
    }
}

/// The Content-Type of a successful reply in `format` (docs/compatibility.md, "Responses").
pub fn content_type(format: ApiFormat) -> &'static str {
    match format {
        ApiFormat::Json => "application/json; charset=\"utf-8\"",
        ApiFormat::Xml => "text/xml; charset=\"utf-8\"",
    }
}
