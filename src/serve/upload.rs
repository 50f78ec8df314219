//! Reading an upload request: the multipart body's files (each kept only up to the size limit) and
//! its text fields.

use axum::extract::Multipart;

use super::problem::Problem;
use crate::pipeline::receive::{MAX_UPLOAD_BYTES, Upload};

/// An upload request: the files and the form fields beside them.
#[derive(Default)]
pub struct UploadForm {
    pub files: Vec<Upload>,
    pub date: Option<String>,
    pub force: Option<String>,
    pub csrf: Option<String>,
    /// `POST /api/reports`: the earlier file (its `stored_as`) the sent file replaces.
    pub replace: Option<String>,
}

/// Reads a multipart body: every `file` field (each kept only up to the size limit; a larger file
/// is read to its end and dropped), and the text fields.
pub async fn read_upload(mut multipart: Multipart) -> Result<UploadForm, Problem> {
    let mut form = UploadForm::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        Problem::new(
            e.status(),
            format!("Không đọc được dữ liệu gửi lên: {}", e.body_text()),
        )
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mut bytes = Some(Vec::new());
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if let Some(kept) = &mut bytes {
                    if kept.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        bytes = None;
                    } else {
                        kept.extend_from_slice(&chunk);
                    }
                }
            }
            // A file input left empty sends one part with no name and no bytes.
            if file_name.is_empty() && bytes.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            form.files.push(Upload {
                name: file_name,
                bytes,
            });
        } else {
            let text = field.text().await.map_err(bad)?;
            let text = Some(text.trim().to_string()).filter(|t| !t.is_empty());
            match name.as_str() {
                "date" => form.date = text,
                "force" => form.force = text,
                "csrf" => form.csrf = text,
                "replace" => form.replace = text,
                _ => {}
            }
        }
    }
    Ok(form)
}
