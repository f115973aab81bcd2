//! DNS zones as whmd keeps them. A zone is the ordered entries of the
//! file whmd renders for BIND; WHM's functions name records by the line they start on in that
//! file, so the same rendering numbers them. Everything here is pure: the store keeps the
//! rendered text, and the server writes it out for BIND.

pub mod name;
pub mod parse;
pub mod record;
pub mod render;
pub mod template;
pub mod zone;

pub use parse::{ParseError, parse};
pub use record::{RData, Record, RecordError, Soa};
pub use render::render;
pub use template::{Template, TemplateInput};
pub use zone::{Entry, Zone, ZoneError};
