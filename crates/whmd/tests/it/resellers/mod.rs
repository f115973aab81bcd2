//! The reseller functions: making resellers and their privileges, their limits as createacct
//! and changepackage enforce them, and suspending or terminating them with their accounts.

mod limits;
mod setup;
mod terminate;
