//! Names of things as the settings define them: forces matched from a force column or folder, units
//! named from their column or from their commune ("Đoàn xã Ta Ma"), and the registry of every unit
//! seen, each with its commune (SPEC §6, §9, §11.4).

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;

use super::StageReject;
use crate::codes::RejectReason;
use crate::ingest::SourcedRow;
use crate::ix::{CommuneIx, ForceIx, UnitIx};
use crate::normalize::commune::{CommuneMatcher, commune_phrase};
use crate::normalize::text::{clean_cell_text, fold};
use crate::settings::Settings;

/// A force column's text and a force folder.
type ForceKey = (Option<String>, Option<String>);
/// A force, a unit column's text and a commune column's text.
type UnitKey = (ForceIx, Option<String>, Option<String>);

/// Matches force columns and folders to the configured forces.
#[derive(Debug, Clone)]
pub struct ForceMatcher {
    keys: Vec<(String, ForceIx)>,
    ids: Vec<String>,
    /// Resolutions already made: a list repeats the same few force texts on every row.
    memo: RefCell<HashMap<ForceKey, Option<ForceIx>>>,
    /// The last resolution made.
    last: RefCell<Option<(ForceKey, Option<ForceIx>)>>,
}

impl ForceMatcher {
    /// From the settings' forces: id, name and aliases all name the force.
    pub fn new(settings: &Settings) -> Self {
        let mut keys = Vec::new();
        for (index, force) in settings.force_ixs().zip(&settings.forces) {
            for text in [&force.id, &force.name].into_iter().chain(&force.aliases) {
                keys.push((fold(text), index));
            }
        }
        Self {
            keys,
            ids: settings.forces.iter().map(|f| f.id.clone()).collect(),
            memo: RefCell::default(),
            last: RefCell::default(),
        }
    }

    /// The force of a row: its force column, else its first-level force folder (SPEC §11.4).
    pub fn resolve(&self, column: Option<&str>, folder: Option<&str>) -> Option<ForceIx> {
        // Consecutive rows of a list repeat the same texts: compare with the last ones before
        // building a key.
        if let Some(((last_column, last_folder), found)) = &*self.last.borrow()
            && last_column.as_deref() == column
            && last_folder.as_deref() == folder
        {
            return *found;
        }
        let key = (column.map(str::to_string), folder.map(str::to_string));
        let memo = self.memo.borrow().get(&key).copied();
        let found = memo.unwrap_or_else(|| {
            let found = self.resolve_uncached(column, folder);
            self.memo.borrow_mut().insert(key.clone(), found);
            found
        });
        *self.last.borrow_mut() = Some((key, found));
        found
    }

    /// The force of an assignment or report row from its force column and force folder, or the
    /// reject saying it has none (`unknown_force`).
    pub fn force_of_row(
        &self,
        source: &SourcedRow,
        folder: Option<&str>,
    ) -> Result<ForceIx, StageReject> {
        let column = source.row.fields.force.as_deref();
        self.resolve(column, folder).ok_or_else(|| StageReject {
            position: source.position.clone(),
            reason: RejectReason::UnknownForce,
            value: column.unwrap_or_default().to_string(),
        })
    }

    /// The force whose folded id, name or alias is `key`.
    pub fn force_of_folded(&self, key: &str) -> Option<ForceIx> {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, index)| *index)
    }

    fn resolve_uncached(&self, column: Option<&str>, folder: Option<&str>) -> Option<ForceIx> {
        let from_column = column.and_then(|text| self.force_of_folded(&fold(text)));
        from_column.or_else(|| {
            folder.and_then(|f| self.ids.iter().position(|id| id == f).map(ForceIx::new))
        })
    }
}

/// A unit: a force's grassroots organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub force: ForceIx,
    pub name: String,
    pub commune: Option<CommuneIx>,
}

/// Every unit seen, in the order first seen; units are the same when their force matches and their
/// names match ignoring case, spacing and Unicode form.
#[derive(Debug, Clone, Default)]
pub struct Units {
    pub list: Vec<Unit>,
    index: HashMap<(ForceIx, String), UnitIx>,
}

/// The comparison key of a unit name: case, spacing and Unicode form ignored.
pub fn unit_key(name: &str) -> String {
    clean_cell_text(name).to_lowercase()
}

/// The comparison key of an officer: compared like names, so tone-mark placement is ignored too
/// ("Lò Văn Hòa" and "Lò văn Hoà" are one officer, SPEC §11.14).
pub fn officer_key(name: &str) -> String {
    crate::normalize::text::name_key(name)
}

impl Units {
    /// A registered unit.
    pub fn get(&self, unit: UnitIx) -> &Unit {
        &self.list[unit.get()]
    }

    /// Every registered unit with its index, in the order first seen.
    pub fn indexed(&self) -> impl Iterator<Item = (UnitIx, &Unit)> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, u)| (UnitIx::new(i), u))
    }

    /// The unit's index, registering it when it is new. A unit's commune is the one its first row
    /// gives (SPEC §6); later rows do not change it.
    pub fn intern(&mut self, force: ForceIx, name: &str, commune: Option<CommuneIx>) -> UnitIx {
        let key = (force, unit_key(name));
        if let Some(&index) = self.index.get(&key) {
            return index;
        }
        self.list.push(Unit {
            force,
            name: clean_cell_text(name).into_owned(),
            commune,
        });
        let index = UnitIx::new(self.list.len() - 1);
        self.index.insert(key, index);
        index
    }
}

/// Officers' comparison keys as small integers: a list names a few thousand officers over a
/// million rows, so rows carry the integer and a key is built once per distinct text.
#[derive(Debug, Clone, Default)]
pub struct Officers {
    /// Each officer's comparison key ([`officer_key`]), by id.
    pub keys: Vec<String>,
    ids: HashMap<String, u32>,
    /// Ids already found for a cell's text.
    by_text: HashMap<String, u32>,
    /// The last text interned and its id (consecutive rows repeat their officer).
    last: Option<(String, u32)>,
}

impl Officers {
    /// The id of the officer this text names (texts with the same [`officer_key`] share an id).
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some((last, id)) = &self.last
            && last == text
        {
            return *id;
        }
        let id = match self.by_text.get(text) {
            Some(&id) => id,
            None => {
                let key = officer_key(text);
                let next = self.keys.len() as u32;
                let id = *self.ids.entry(key.clone()).or_insert(next);
                if id == next {
                    self.keys.push(key);
                }
                self.by_text.insert(text.to_string(), id);
                id
            }
        };
        self.last = Some((text.to_string(), id));
        id
    }
}

/// A row's force and its unit and commune texts.
type UnitTexts<'r> = (ForceIx, Option<&'r str>, Option<&'r str>);

/// Resolves a row's unit through [`Naming::unit_of`] and [`Units::intern`] once per distinct
/// (force, unit text, commune text), borrowing the texts from the rows (a list repeats a few hundred
/// of them over its rows), and compares with the previous row first. One cache serves one
/// [`Units`] registry.
#[derive(Debug, Default)]
pub struct UnitCache<'r> {
    last: Option<(UnitTexts<'r>, (UnitIx, Option<CommuneIx>))>,
    seen: HashMap<UnitTexts<'r>, (UnitIx, Option<CommuneIx>)>,
}

impl<'r> UnitCache<'r> {
    /// The row's unit index and commune.
    pub fn resolve(
        &mut self,
        naming: &Naming<'_>,
        units: &mut Units,
        force: ForceIx,
        unit_column: Option<&'r str>,
        commune_column: Option<&'r str>,
    ) -> (UnitIx, Option<CommuneIx>) {
        let key = (force, unit_column, commune_column);
        if let Some((last, found)) = &self.last
            && *last == key
        {
            return *found;
        }
        let found = *self.seen.entry(key).or_insert_with(|| {
            let (name, commune) = naming.unit_of(force, unit_column, commune_column);
            (units.intern(force, &name, commune), commune)
        });
        self.last = Some((key, found));
        found
    }
}

/// Names units and finds their communes.
#[derive(Debug, Clone)]
pub struct Naming<'a> {
    pub settings: &'a Settings,
    pub communes: CommuneMatcher,
    /// Units already named: every row of a unit's list repeats the same unit and commune texts.
    memo: RefCell<HashMap<UnitKey, UnitNaming>>,
    /// The last unit named.
    last: RefCell<Option<(UnitKey, UnitNaming)>>,
}

/// A unit's canonical name and its commune, if one is found.
type UnitNaming = (String, Option<CommuneIx>);

impl<'a> Naming<'a> {
    /// For these settings.
    pub fn new(settings: &'a Settings) -> Self {
        Self {
            settings,
            communes: CommuneMatcher::new(&settings.communes),
            memo: RefCell::default(),
            last: RefCell::default(),
        }
    }

    /// A unit's name and commune from a row: the unit column, else `unit_label` + the commune
    /// ("Đoàn xã Ta Ma"); the commune is the row's commune column, else one named inside the unit.
    pub fn unit_of(
        &self,
        force: ForceIx,
        unit_column: Option<&str>,
        commune_column: Option<&str>,
    ) -> (String, Option<CommuneIx>) {
        if let Some(((last_force, last_unit, last_commune), found)) = &*self.last.borrow()
            && *last_force == force
            && last_unit.as_deref() == unit_column
            && last_commune.as_deref() == commune_column
        {
            return found.clone();
        }
        let key = (
            force,
            unit_column.map(str::to_string),
            commune_column.map(str::to_string),
        );
        let memo = self.memo.borrow().get(&key).cloned();
        let found = memo.unwrap_or_else(|| {
            let found = self.unit_of_uncached(force, unit_column, commune_column);
            self.memo.borrow_mut().insert(key.clone(), found.clone());
            found
        });
        *self.last.borrow_mut() = Some((key, found.clone()));
        found
    }

    fn unit_of_uncached(
        &self,
        force: ForceIx,
        unit_column: Option<&str>,
        commune_column: Option<&str>,
    ) -> (String, Option<CommuneIx>) {
        let row_commune = commune_column.and_then(|text| self.communes.find(text));
        match unit_column {
            Some(unit) => (
                unit.to_string(),
                row_commune.or_else(|| self.communes.find_within(unit)),
            ),
            None => {
                let label = &self.settings.force(force).unit_label;
                let name = match row_commune {
                    Some(commune) => {
                        format!("{label} {}", commune_phrase(self.settings.commune(commune)))
                    }
                    None => label.clone(),
                };
                (name, row_commune)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::settings::template as settings;

    #[test]
    fn units_are_named_from_their_commune() {
        let settings = settings();
        let naming = Naming::new(&settings);
        let ta_ma = settings
            .communes
            .iter()
            .position(|c| c == "Ta Ma")
            .map(CommuneIx::new);
        assert_eq!(
            naming.unit_of(ForceIx::new(0), None, Some("Xã Ta Ma")),
            ("Đoàn xã Ta Ma".to_string(), ta_ma)
        );
        assert_eq!(
            naming
                .unit_of(ForceIx::new(0), None, Some("TT Tuần Giáo"))
                .0,
            "Đoàn thị trấn Tuần Giáo"
        );
        assert_eq!(
            naming.unit_of(ForceIx::new(0), Some("Chi đoàn bản Ta Ma"), None),
            ("Chi đoàn bản Ta Ma".to_string(), ta_ma)
        );
        assert_eq!(naming.unit_of(ForceIx::new(0), None, None).0, "Đoàn");
    }

    #[test]
    fn forces_from_column_then_folder() {
        let settings = settings();
        let forces = ForceMatcher::new(&settings);
        assert_eq!(
            forces.resolve(Some("ĐOÀN THANH NIÊN"), Some("cong-an")),
            Some(ForceIx::new(0))
        );
        assert_eq!(
            forces.resolve(Some("Hội LHPN"), None),
            Some(ForceIx::new(1))
        );
        assert_eq!(
            forces.resolve(Some("không rõ"), Some("cong-an")),
            Some(ForceIx::new(3))
        );
        assert_eq!(forces.resolve(None, Some("xa-quai-to")), None);
        assert_eq!(forces.resolve(None, None), None);
    }

    #[test]
    fn officers_spelled_alike_share_an_id_and_keep_their_key() {
        let mut officers = Officers::default();
        let hoa = officers.intern("Lò Văn Hòa");
        assert_eq!(officers.intern("Lò Văn Hòa"), hoa, "the same text again");
        assert_eq!(
            officers.intern("lò  văn Hoà"),
            hoa,
            "case, spacing, tone mark"
        );
        let lan = officers.intern("Quàng Thị Lan");
        assert_ne!(lan, hoa);
        assert_eq!(officers.intern("Lò Văn Hòa"), hoa, "after another officer");
        assert_eq!(officers.keys.len(), 2);
        assert_eq!(officers.keys[hoa as usize], officer_key("Lò Văn Hòa"));
        assert_eq!(officers.intern(""), 2, "no officer named is one more key");
    }

    #[test]
    fn a_unit_cache_gives_what_naming_and_interning_give() {
        let settings = settings();
        let naming = Naming::new(&settings);
        let mut cached = Units::default();
        let mut plain = Units::default();
        let mut cache = UnitCache::default();
        let rows = [
            (ForceIx::new(0), None, Some("Xã Ta Ma")),
            (ForceIx::new(0), None, Some("Xã Ta Ma")),
            (ForceIx::new(1), None, Some("Xã Ta Ma")),
            (ForceIx::new(0), Some("Chi đoàn bản Ta Ma"), None),
            (ForceIx::new(0), None, Some("Xã Ta Ma")),
        ];
        for (force, unit, commune) in rows {
            let (name, expected_commune) = naming.unit_of(force, unit, commune);
            let expected = plain.intern(force, &name, expected_commune);
            assert_eq!(
                cache.resolve(&naming, &mut cached, force, unit, commune),
                (expected, expected_commune)
            );
        }
        assert_eq!(cached.list, plain.list);
    }

    #[test]
    fn units_merge_ignoring_case_and_spacing() {
        let mut units = Units::default();
        let a = units.intern(ForceIx::new(0), "Đoàn xã Ta Ma", None);
        let b = units.intern(ForceIx::new(0), "đoàn  Xã ta ma", Some(CommuneIx::new(3)));
        let c = units.intern(ForceIx::new(1), "Đoàn xã Ta Ma", None);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            units.get(a).commune,
            None,
            "the first row decides the commune"
        );
    }
}
