//! Pure normalisers: citizen IDs, text, names, communes, dates and legacy encodings. Nothing here
//! touches the file system; every function gives a value or a reason for any input.

pub mod commune;
pub mod date;
pub mod id;
pub mod legacy;
pub mod text;
