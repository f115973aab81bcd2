//! whmd's functions: the registry that names them, the dispatcher that checks privileges and
//! runs them, and the handlers, one module per WHM section. Both the HTTP server and the
//! command-line client call [`dispatch::call`].

pub mod access;
pub mod context;
pub mod dispatch;
pub mod function;
pub mod functions;
pub mod idempotent;
pub mod openapi;
pub mod outage;
pub mod registry;

pub use context::{Context, ServerInfo};
pub use registry::{Access, FunctionSpec, Registry, Versions};
