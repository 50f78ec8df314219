//! The integration tests: the real CLI on fixtures, the corpus of hostile spreadsheets, and
//! (later) whole workspaces. One binary, one module per capability.

mod check;
mod corpus;
mod district;
mod init;
mod inspect;
mod run;
mod support;
mod workbooks;
