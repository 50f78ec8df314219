//! Workbooks that leave the office locked with a password, and received files the office knows the
//! password of (issue 27).
//!
//! Passwords live in the workspace's `mat-khau.toml`, which is read only when its owner alone can
//! read it (on Unix; elsewhere the folder's permissions apply):
//!
//! ```toml
//! district = "…"                    # every locked file without a password of its own
//! received = ["…", "…"]             # tried on encrypted input files
//! [forces]
//! doan-thanh-nien = "…"             # that force's workbook and its units' forms
//! ```
//!
//! `VNEID_PASSWORD` stands in for `district` (for cron). Locking is ECMA-376 agile encryption (the
//! "password to open" of Excel 2010 and later) by `ms-offcrypto-writer`; unlocking is
//! `office-crypto`. Guarantees: a password is never printed, logged or written anywhere but into the
//! locked file's key derivation; [`Secret`]'s `Debug` shows no character of it; error messages name
//! the file and the line, never a value.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::Path;

use serde::Deserialize;

use crate::report::layout::{self, Output};

/// The workspace file of the passwords.
pub use crate::workspace::PASSWORDS_FILE;

pub use crate::secret::Secret;

/// The passwords of a workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passwords {
    /// Every locked file without a password of its own (`district`, or `VNEID_PASSWORD`).
    pub district: Option<Secret>,
    /// By force id: that force's workbook and its units' forms.
    pub forces: BTreeMap<String, Secret>,
    /// Tried, in order, on encrypted input files.
    pub received: Vec<Secret>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPasswords {
    district: Option<String>,
    #[serde(default)]
    forces: BTreeMap<String, String>,
    #[serde(default)]
    received: Vec<String>,
}

impl Passwords {
    /// The workspace's passwords: `mat-khau.toml` if there is one (refused unless only its owner
    /// can read it), with `env_district` (`VNEID_PASSWORD`) standing in for `district`. The error
    /// is a Vietnamese message naming the file and line, never a value.
    pub fn load(
        workspace: &Path,
        env_district: Option<Secret>,
        force_ids: &[&str],
    ) -> Result<Self, String> {
        let path = crate::workspace::Workspace::new(workspace).passwords_file();
        let shown = path.display();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    district: env_district,
                    ..Self::default()
                });
            }
            Err(error) => return Err(format!("không đọc được {shown}: {error}")),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o777);
            if mode & 0o077 != 0 {
                return Err(format!(
                    "{shown} đọc được bởi người khác ngoài chủ tệp (quyền {:o}): không dùng; chạy \
                     chmod 600 {shown} rồi chạy lại",
                    mode & 0o777
                ));
            }
        }
        let raw: RawPasswords = toml::from_str(&text).map_err(|error| {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            format!(
                "{shown} viết sai{}: cần district = \"…\", received = [\"…\"] và bảng [forces] \
                 (xem docs/huong-dan.md)",
                line.map(|l| format!(" ở dòng {l}")).unwrap_or_default()
            )
        })?;
        for id in raw.forces.keys() {
            if !force_ids.contains(&id.as_str()) {
                return Err(format!(
                    "{shown}: [forces] có \"{id}\", không phải mã lực lượng nào trong vneid-recon.toml"
                ));
            }
        }
        let secret = |text: String| (!text.is_empty()).then(|| Secret::new(text));
        Ok(Self {
            district: env_district.or_else(|| raw.district.and_then(secret)),
            forces: raw
                .forces
                .into_iter()
                .filter_map(|(id, text)| Some((id, secret(text)?)))
                .collect(),
            received: raw.received.into_iter().filter_map(secret).collect(),
        })
    }

    /// The password an output of a day locks with (its name relative to `out/D/`), or `None` for
    /// an output that carries counts only and stays open (summary, chat text, picture). A force's
    /// workbook and forms take the force's password, else the district's.
    pub fn for_output(&self, name: &str, force_ids: &[&str]) -> Option<&Secret> {
        let of_force = |id: &str| self.forces.get(id).or(self.district.as_ref());
        match layout::output_of(name, force_ids) {
            Output::DistrictWorkbook => self.district.as_ref(),
            Output::ForceWorkbook(id) => of_force(id),
            Output::Form(form) => form
                .split_once('/')
                .map_or(self.district.as_ref(), |(id, _)| of_force(id)),
            _ => None,
        }
    }
}

/// A workbook locked with a password: ECMA-376 agile encryption, with fresh random salts and keys
/// (so two lockings of the same bytes differ; unlocked, they are the same bytes).
pub fn lock(workbook: &[u8], password: &Secret) -> std::io::Result<Vec<u8>> {
    let mut writer = ms_offcrypto_writer::Ecma376AgileWriter::create(
        &mut rand::rng(),
        password.expose(),
        Cursor::new(Vec::new()),
    )?;
    writer.write_all(workbook)?;
    Ok(writer.into_inner()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_workbook_opens_with_its_password_only() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .write(0, 0, "Lò Văn Sáng 011090000001")
            .expect("cell");
        let workbook = book.save_to_buffer().expect("workbook");
        let password = Secret::new("Mật khẩu 2024!");
        let locked = lock(&workbook, &password).expect("locked");
        assert!(locked.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]));
        assert!(
            !locked.windows(4).any(|w| w == b"PK\x03\x04"),
            "nothing of the zip shows"
        );
        let wrong = Secret::new("sai");
        let unlock = crate::ingest::file::unlock;
        assert_eq!(unlock(&locked, std::slice::from_ref(&wrong)), None);
        let opened = unlock(&locked, &[wrong, password.clone()]).expect("opens");
        assert_eq!(opened, workbook, "the same bytes come out");
        assert_eq!(format!("{password:?}"), "Secret(***)");
        assert_ne!(
            lock(&workbook, &password).expect("again"),
            locked,
            "fresh salts"
        );
    }

    #[test]
    fn outputs_lock_with_their_force_or_the_district_password() {
        let passwords = Passwords {
            district: Some(Secret::new("d")),
            forces: [("cong-an".to_string(), Secret::new("c"))].into(),
            received: Vec::new(),
        };
        let ids = ["cong-an", "doan-thanh-nien"];
        let of = |name: &str| passwords.for_output(name, &ids).map(Secret::expose);
        assert_eq!(of("tong-hop-2024-01-15.xlsx"), Some("d"));
        assert_eq!(of("cong-an-2024-01-15.xlsx"), Some("c"));
        assert_eq!(of("doan-thanh-nien-2024-01-15.xlsx"), Some("d"));
        assert_eq!(of("don-vi/cong-an/cong-an-xa-ta-ma.xlsx"), Some("c"));
        assert_eq!(of("don-vi/doan-thanh-nien/doan-xa-ta-ma.xlsx"), Some("d"));
        for open in [
            "summary.json",
            "tin-nhan-2024-01-15.txt",
            "bieu-do-2024-01-15.png",
            "bieu-do-2024-01-15.svg",
        ] {
            assert_eq!(of(open), None, "{open}");
        }
    }

    #[test]
    fn the_file_is_refused_unless_its_owner_alone_reads_it() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join(PASSWORDS_FILE);
        std::fs::write(
            &path,
            "district = \"bí mật\"\nreceived = [\"a\", \"\"]\n[forces]\ncong-an = \"c\"\n",
        )
        .expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let error = Passwords::load(dir.path(), None, &["cong-an"]).expect_err("readable");
            assert!(
                error.contains("chmod 600") && !error.contains("bí mật"),
                "{error}"
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let loaded = Passwords::load(dir.path(), None, &["cong-an"]).expect("loads");
        assert_eq!(loaded.district, Some(Secret::new("bí mật")));
        assert_eq!(loaded.received, vec![Secret::new("a")]);
        let from_env =
            Passwords::load(dir.path(), Some(Secret::new("env")), &["cong-an"]).expect("loads");
        assert_eq!(from_env.district, Some(Secret::new("env")));
        let error = Passwords::load(dir.path(), None, &["doan-thanh-nien"]).expect_err("unknown");
        assert!(error.contains("cong-an"), "{error}");
        std::fs::write(&path, "district = \"bí mật\nreceived = 3\n").expect("write");
        let error = Passwords::load(dir.path(), None, &["cong-an"]).expect_err("bad toml");
        assert!(!error.contains("bí mật"), "{error}");
    }
}
