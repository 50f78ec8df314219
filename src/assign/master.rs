//! The master list: the union of every file under `master/`, one record per citizen ID (SPEC §6).
//! The first row seen (path, sheet, row order) gives a record its values; later rows of the same ID
//! fill only what is still missing, and are counted as merged duplicates.

use rustc_hash::FxHashMap as HashMap;

use crate::ingest::sheet::RowFields;
use crate::ingest::{Position, SourcedRow};
use crate::ix::CommuneIx;
use crate::normalize::commune::CommuneMatcher;
use crate::normalize::date::DateValue;
use crate::normalize::id::{CitizenId, Sex};
use crate::normalize::text::name_key;

/// One citizen of the master list.
#[derive(Debug, Clone, PartialEq)]
pub struct Citizen {
    pub id: CitizenId,
    pub name: Option<String>,
    pub dob: Option<DateValue>,
    pub gender: Option<Sex>,
    /// Index into the configured communes; `None` is `unknown`.
    pub commune: Option<CommuneIx>,
    pub village: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub position: Position,
}

/// The merged master list.
#[derive(Debug, Clone, Default)]
pub struct Master {
    /// Sorted by ID.
    pub citizens: Vec<Citizen>,
    index: crate::normalize::id::IdMap<usize>,
    /// Rows that repeated an ID already in the list.
    pub merged_duplicates: u64,
}

impl Master {
    /// Merges master rows given in position order.
    pub fn merge(rows: &[SourcedRow], communes: &CommuneMatcher) -> Self {
        // Rows by (ID, position): each ID's rows are then adjacent, its first row first, and the
        // records come out in ID order without a map of a million records.
        let mut order: Vec<(CitizenId, u32)> = (0u32..)
            .zip(rows)
            .map(|(index, row)| (row.row.id, index))
            .collect();
        order.sort_unstable();
        // A commune column repeats a few dozen names over a million rows: match each text once.
        let mut commune_of: HashMap<&str, Option<CommuneIx>> = HashMap::default();
        let mut citizens: Vec<Citizen> = Vec::new();
        let mut merged_duplicates = 0;
        for &(id, index) in &order {
            let SourcedRow { position, row } = &rows[index as usize];
            let fields = &row.fields;
            match citizens.last_mut() {
                Some(citizen) if citizen.id == id => {
                    merged_duplicates += 1;
                    fill_text(&mut citizen.name, fields.name.as_deref());
                    fill(&mut citizen.dob, &fields.dob);
                    fill(&mut citizen.gender, &fields.gender);
                    if citizen.commune.is_none() {
                        citizen.commune = row_commune(&mut commune_of, communes, fields);
                    }
                    fill_text(&mut citizen.village, fields.village.as_deref());
                    fill_text(&mut citizen.address, fields.address.as_deref());
                    fill_text(&mut citizen.phone, fields.phone.as_deref());
                }
                _ => citizens.push(Citizen {
                    id,
                    name: fields.name.as_deref().map(str::to_string),
                    dob: fields.dob,
                    gender: fields.gender,
                    commune: row_commune(&mut commune_of, communes, fields),
                    village: fields.village.as_deref().map(str::to_string),
                    address: fields.address.as_deref().map(str::to_string),
                    phone: fields.phone.as_deref().map(str::to_string),
                    position: position.clone(),
                }),
            }
        }
        let mut index = crate::normalize::id::IdMap::with_capacity_and_hasher(
            citizens.len(),
            Default::default(),
        );
        index.extend(citizens.iter().enumerate().map(|(i, c)| (c.id, i)));
        Self {
            citizens,
            index,
            merged_duplicates,
        }
    }

    /// The citizen with this ID.
    pub fn get(&self, id: CitizenId) -> Option<&Citizen> {
        self.index.get(&id).map(|&i| &self.citizens[i])
    }

    /// True when the ID is in the master list.
    pub fn contains(&self, id: CitizenId) -> bool {
        self.index.contains_key(&id)
    }

    /// True when a row's name clearly differs from the master record's name (compared ignoring case,
    /// spacing, Unicode form and tone-mark placement); false when either has no name.
    pub fn name_mismatch(&self, id: CitizenId, name: Option<&str>) -> bool {
        match (self.get(id).and_then(|c| c.name.as_deref()), name) {
            // The common case, an identical spelling, needs no key.
            (Some(master), Some(name)) => master != name && name_key(master) != name_key(name),
            _ => false,
        }
    }
}

/// A row's commune: its commune column (each text matched once, through `memo`), else one named
/// in its address.
fn row_commune<'r>(
    memo: &mut HashMap<&'r str, Option<CommuneIx>>,
    communes: &CommuneMatcher,
    fields: &'r RowFields,
) -> Option<CommuneIx> {
    fields
        .commune
        .as_deref()
        .and_then(|text| *memo.entry(text).or_insert_with(|| communes.find(text)))
        .or_else(|| {
            fields
                .address
                .as_deref()
                .and_then(|a| communes.find_within(a))
        })
}

fn fill_text(slot: &mut Option<String>, value: Option<&str>) {
    if slot.is_none() {
        *slot = value.map(str::to_string);
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}
