//! The integration tests: the real CLI on fixtures, the corpus of hostile spreadsheets, and whole
//! workspaces. One binary, one module per capability.

mod browser;
mod check;
mod codes;
mod corpus;
mod district;
mod first_minutes;
mod force_link;
mod hostile;
mod init;
mod inspect;
mod layouts;
mod lists;
mod outputs;
mod phone;
mod protect;
mod roles;
mod run;
mod serve;
mod support;
mod windows;
mod workbooks;
