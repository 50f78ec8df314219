//! Claims and progress: the daily reports classified (SPEC §6 "Claims"), targets read, and the
//! progress of every unit, force × commune, force, commune and the district.

pub mod claims;
pub mod metrics;
pub mod progress;
