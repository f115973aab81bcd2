//! The WHM wire contract: everything that is decided by what clients send and parse.
//!
//! Nothing here knows about HTTP servers, stores or handlers; the server, the command-line
//! client and the fuzz tests all share these pieces (docs/compatibility.md, "Requests").

pub mod acl;
pub mod args;
pub mod error;
pub mod listing;
pub mod outcome;
pub mod output;
pub mod params;
pub mod path;
pub mod render;
pub mod shape;
pub mod version;

pub use acl::{Acl, AclSet};
pub use args::{Args, ArgsError};
pub use error::WhmError;
pub use listing::{Listing, Source};
pub use outcome::{Outcome, Output};
pub use path::{ApiFormat, Document, PathError, Target};
pub use shape::{
    Api0Data, Api0Shape, Api1Shape, Reply, ReplyStatus, StreamedList, list_path, unknown_app_reason,
};
pub use version::ApiVersion;
