//! The workspace's links (issue 26): each role's link is a random token, kept in `lien-ket.toml`
//! only as its SHA-256 (owner-only file), so the file says who may come in without being a key
//! itself. A token is printed once, when it is made (`serve` off loopback makes the missing ones;
//! `vneid-recon links` replaces them all or one). The page turns a [`LinkFor`] into its role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::jobs::{self, JobError};
use crate::secret::{random_hex as random_secret, same_secret};
use crate::settings::Settings;

/// Which role a link is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkFor {
    District,
    /// A force, by id.
    Force(String),
}

impl LinkFor {
    /// From the command line: `huyen` (or `district`) or a force id.
    pub fn parse(text: &str, settings: &Settings) -> Result<Self, String> {
        match text {
            "huyen" | "district" => Ok(LinkFor::District),
            id if settings.force_by_id(id).is_some() => Ok(LinkFor::Force(id.to_string())),
            _ => Err(format!(
                "không có vai trò \"{text}\": dùng huyen hoặc mã một lực lượng trong \
                 vneid-recon.toml ({})",
                settings
                    .forces
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// A link's entry: the SHA-256 of its token and when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    sha256: String,
    created: String,
}

/// The links of a workspace, as `lien-ket.toml` keeps them (hashes only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    district: Option<Entry>,
    /// By force id.
    #[serde(default)]
    forces: BTreeMap<String, Entry>,
}

/// A link just made: the role, and the token (shown once, never stored).
#[derive(Debug, Clone)]
pub struct NewLink {
    pub role: LinkFor,
    pub token: String,
}

impl Links {
    pub fn path(workspace: &Path) -> PathBuf {
        super::Workspace::new(workspace).links_file()
    }

    /// The workspace's links; none when the file does not exist.
    pub fn load(workspace: &Path) -> std::io::Result<Self> {
        let path = Self::path(workspace);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|error| {
                std::io::Error::other(format!(
                    "{} hỏng ({}): xóa tệp rồi cấp lại đường dẫn bằng `vneid-recon links`",
                    path.display(),
                    error.message()
                ))
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(error),
        }
    }

    /// Writes the file whole, readable by its owner only.
    pub fn save(&self, workspace: &Path) -> std::io::Result<()> {
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        let content = format!(
            "# vneid-recon: đường dẫn của trang văn phòng. Chỉ lưu mã băm SHA-256 của từng mã truy \
             cập;\n# mã chỉ hiện một lần khi cấp. Cấp lại: vneid-recon links -w <thư mục>\n{text}"
        );
        crate::fsio::write_file(&Self::path(workspace), content.as_bytes())
    }

    /// Whether a link exists for the role.
    pub fn has(&self, role: &LinkFor) -> bool {
        match role {
            LinkFor::District => self.district.is_some(),
            LinkFor::Force(id) => self.forces.contains_key(id),
        }
    }

    /// Makes a new token for the role (replacing its old one, which stops working).
    pub fn issue(&mut self, role: LinkFor, now: chrono::NaiveDateTime) -> std::io::Result<NewLink> {
        let token = random_secret();
        if token.is_empty() {
            return Err(std::io::Error::other(
                "không lấy được số ngẫu nhiên của hệ điều hành để tạo mã truy cập",
            ));
        }
        let entry = Entry {
            sha256: crate::secret::hex_sha256(token.as_bytes()),
            created: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        match &role {
            LinkFor::District => self.district = Some(entry),
            LinkFor::Force(id) => {
                self.forces.insert(id.clone(), entry);
            }
        }
        Ok(NewLink { role, token })
    }

    /// The role a token is for, if any (a force no longer configured has no role).
    pub fn role_of(&self, token: &str, settings: &Settings) -> Option<LinkFor> {
        let hash = crate::secret::hex_sha256(token.trim().as_bytes());
        if self
            .district
            .as_ref()
            .is_some_and(|e| same_secret(&hash, &e.sha256))
        {
            return Some(LinkFor::District);
        }
        let (id, _) = self
            .forces
            .iter()
            .find(|(_, e)| same_secret(&hash, &e.sha256))?;
        settings.force_by_id(id)?;
        Some(LinkFor::Force(id.clone()))
    }
}

/// Every role of a workspace's settings: the district, then the forces in order.
pub fn every_role(settings: &Settings) -> Vec<LinkFor> {
    std::iter::once(LinkFor::District)
        .chain(settings.forces.iter().map(|f| LinkFor::Force(f.id.clone())))
        .collect()
}

/// Makes the links the workspace lacks (every one with `replace_all`; off loopback the district's
/// too, unless a district token was given) and saves their hashes. The new links are returned: their
/// tokens are shown once.
pub fn ensure_links(
    workspace: &Path,
    settings: &Settings,
    replace_all: bool,
    with_district: bool,
) -> Result<Vec<NewLink>, JobError> {
    let cannot = |error: std::io::Error| JobError::CannotRun(error.into());
    let mut links = Links::load(workspace).map_err(cannot)?;
    let now = crate::vietnam_now();
    let mut made = Vec::new();
    for role in every_role(settings) {
        if role == LinkFor::District && !with_district {
            continue;
        }
        if replace_all || !links.has(&role) {
            made.push(links.issue(role, now).map_err(cannot)?);
        }
    }
    if !made.is_empty() {
        links.save(workspace).map_err(cannot)?;
    }
    Ok(made)
}

/// Replaces one role's link (`vneid-recon links --only ROLE`), or every one.
pub fn replace_links(
    workspace: &Path,
    only: Option<&str>,
) -> Result<(Settings, Vec<NewLink>), JobError> {
    let settings = jobs::load_settings(workspace)?;
    let Some(only) = only else {
        let made = ensure_links(workspace, &settings, true, true)?;
        return Ok((settings, made));
    };
    let role = LinkFor::parse(only, &settings)
        .map_err(|message| JobError::Settings(anyhow::anyhow!(message)))?;
    let cannot = |error: std::io::Error| JobError::CannotRun(error.into());
    let mut links = Links::load(workspace).map_err(cannot)?;
    let made = links.issue(role, crate::vietnam_now()).map_err(cannot)?;
    links.save(workspace).map_err(cannot)?;
    Ok((settings, vec![made]))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::settings::template as settings;

    #[test]
    fn tokens_are_kept_hashed_and_name_their_role() {
        let settings = settings();
        let dir = tempfile::tempdir().expect("temp");
        let now = chrono::NaiveDate::from_ymd_opt(2024, 1, 15)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("time");
        let mut links = Links::default();
        let district = links.issue(LinkFor::District, now).expect("district");
        let youth = links
            .issue(LinkFor::Force("doan-thanh-nien".into()), now)
            .expect("youth");
        links.save(dir.path()).expect("save");
        let text = std::fs::read_to_string(Links::path(dir.path())).expect("read");
        assert!(!text.contains(&district.token) && !text.contains(&youth.token));
        let links = Links::load(dir.path()).expect("load");
        assert_eq!(
            links.role_of(&district.token, &settings),
            Some(LinkFor::District)
        );
        assert_eq!(
            links.role_of(&youth.token, &settings),
            Some(LinkFor::Force("doan-thanh-nien".into()))
        );
        assert_eq!(links.role_of("0123456789abcdef", &settings), None);
        // Replacing one link stops its old token and keeps the others.
        let mut links = links;
        let again = links
            .issue(LinkFor::Force("doan-thanh-nien".into()), now)
            .expect("again");
        assert_eq!(links.role_of(&youth.token, &settings), None);
        assert!(links.role_of(&again.token, &settings).is_some());
        assert_eq!(
            links.role_of(&district.token, &settings),
            Some(LinkFor::District)
        );
    }
}
