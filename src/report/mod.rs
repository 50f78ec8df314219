//! Outputs: `summary.json` now; the workbooks and the chat message build on the same model.

pub mod summary;
