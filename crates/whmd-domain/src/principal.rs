//! The authenticated caller of a function.

use whmd_wire::AclSet;

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    ApiToken {
        name: String,
        /// The token names its own privileges (it does not inherit all its owner's).
        limited: bool,
    },
    Password,
    /// A login session (cookie and security token).
    Session,
    /// A legacy access hash.
    AccessHash,
    /// A command run on the server itself (`whmapi1`), trusted as the user it names.
    Local,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    /// The effective privileges: the user's own, narrowed by the token's when it used one.
    pub acls: AclSet,
    pub method: AuthMethod,
}

impl Principal {
    pub fn is_root(&self) -> bool {
        self.acls.is_root()
    }
}
