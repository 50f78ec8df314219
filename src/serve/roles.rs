//! Who is asking (issue 26): the district officer, who may do everything the page does, or one
//! force's clerk, who sees the district's and the forces' counts, her own force's units in detail,
//! downloads only her force's workbook and her own units' forms, and sends reports only into her
//! force's folder.
//!
//! Each role comes in by its own link ([`crate::pipeline::links`]). Without a token, on loopback,
//! the page is the district officer's, as before.

use crate::ix::ForceIx;
use crate::pipeline::links::LinkFor;
use crate::report::layout::{self, Output};
use crate::settings::Settings;

/// A signed-in role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The district police officer: everything.
    District,
    /// One force's clerk.
    Force { force: ForceIx, id: String },
}

impl Role {
    /// The role as the log writes it: `district`, or the force's id.
    pub fn code(&self) -> &str {
        match self {
            Role::District => "district",
            Role::Force { id, .. } => id,
        }
    }

    /// The force of a force clerk.
    pub fn force(&self) -> Option<ForceIx> {
        match self {
            Role::District => None,
            Role::Force { force, .. } => Some(*force),
        }
    }

    /// Who is signed in, as the page's title bar says it.
    pub fn label(&self, settings: &Settings) -> String {
        match self {
            Role::District => "Công an huyện (toàn quyền)".to_string(),
            Role::Force { force, .. } => format!("Lực lượng {}", settings.force(*force).name),
        }
    }

    /// What this role may do, in Vietnamese: every refusal says it.
    pub fn refusal(&self, settings: &Settings) -> String {
        match self {
            Role::District => "Việc này không làm được.".to_string(),
            Role::Force { force, .. } => {
                let name = &settings.force(*force).name;
                format!(
                    "Đường dẫn của lực lượng {name} chỉ được: xem số liệu của huyện, của các lực \
                     lượng và các đơn vị thuộc {name}; tải bảng của {name} và phiếu của các đơn vị \
                     thuộc {name}; kiểm tra và gửi báo cáo của {name}. Việc này do Công an huyện \
                     làm (chạy tổng hợp, tạo phiếu, nhật ký, số liệu và tệp của lực lượng khác)."
                )
            }
        }
    }

    /// Whether this role may download the output `path` (relative to `out/D/`, with `/`).
    pub fn may_download(&self, path: &str, settings: &Settings) -> bool {
        let Role::Force { id, .. } = self else {
            return true;
        };
        let ids: Vec<&str> = settings.forces.iter().map(|f| f.id.as_str()).collect();
        match layout::output_of(path, &ids) {
            Output::ForceWorkbook(force) => force == id,
            Output::Form(form) => form.split_once('/').is_some_and(|(folder, _)| folder == id),
            // Counts only, drawn for every force.
            Output::Picture { .. } | Output::PhonePicture => true,
            _ => false,
        }
    }
}

impl Role {
    /// The role a link opens, as the page knows it.
    pub fn of_link(link: LinkFor, settings: &Settings) -> Option<Role> {
        match link {
            LinkFor::District => Some(Role::District),
            LinkFor::Force(id) => Some(Role::Force {
                force: settings.force_by_id(&id)?,
                id,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::settings::template as settings;

    #[test]
    fn a_force_clerk_downloads_only_her_own_files() {
        let settings = settings();
        let youth = Role::Force {
            force: settings.force_by_id("doan-thanh-nien").expect("force"),
            id: "doan-thanh-nien".into(),
        };
        for (path, allowed) in [
            ("doan-thanh-nien-2024-01-15.xlsx", true),
            ("cong-an-2024-01-15.xlsx", false),
            ("tong-hop-2024-01-15.xlsx", false),
            ("summary.json", false),
            ("tin-nhan-2024-01-15.txt", false),
            ("bieu-do-2024-01-15.png", true),
            ("don-vi/doan-thanh-nien/doan-xa-ta-ma.xlsx", true),
            ("don-vi/cong-an/cong-an-xa-ta-ma.xlsx", false),
            ("parquet/citizens.parquet", false),
        ] {
            assert_eq!(youth.may_download(path, &settings), allowed, "{path}");
            assert!(Role::District.may_download(path, &settings), "{path}");
        }
    }
}
