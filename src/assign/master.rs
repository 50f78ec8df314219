//! The master list: the union of every file under `master/`, one record per citizen ID (SPEC §6).
//! The first row seen (path, sheet, row order) gives a record its values; later rows of the same ID
//! fill only what is still missing, and are counted as merged duplicates.

use rustc_hash::FxHashMap as HashMap;

use crate::ingest::{Position, SourcedRow};
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
    pub commune: Option<usize>,
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
        let mut by_id: crate::normalize::id::IdMap<Citizen> =
            crate::normalize::id::IdMap::with_capacity_and_hasher(rows.len(), Default::default());
        let mut merged_duplicates = 0;
        // A commune column repeats a few dozen names over a million rows: match each text once.
        let mut commune_of: HashMap<&str, Option<usize>> = HashMap::default();
        for SourcedRow { position, row } in rows {
            let fields = &row.fields;
            let commune = fields
                .commune
                .as_deref()
                .and_then(|c| *commune_of.entry(c).or_insert_with(|| communes.find(c)))
                .or_else(|| {
                    fields
                        .address
                        .as_deref()
                        .and_then(|a| communes.find_within(a))
                });
            match by_id.get_mut(&row.id) {
                Some(citizen) => {
                    merged_duplicates += 1;
                    fill(&mut citizen.name, &fields.name);
                    fill(&mut citizen.dob, &fields.dob);
                    fill(&mut citizen.gender, &fields.gender);
                    fill(&mut citizen.commune, &commune);
                    fill(&mut citizen.village, &fields.village);
                    fill(&mut citizen.address, &fields.address);
                    fill(&mut citizen.phone, &fields.phone);
                }
                None => {
                    let citizen = Citizen {
                        id: row.id,
                        name: fields.name.clone(),
                        dob: fields.dob,
                        gender: fields.gender,
                        commune,
                        village: fields.village.clone(),
                        address: fields.address.clone(),
                        phone: fields.phone.clone(),
                        position: position.clone(),
                    };
                    by_id.insert(row.id, citizen);
                }
            }
        }
        let mut citizens: Vec<Citizen> = by_id.into_values().collect();
        citizens.sort_by_key(|c| c.id);
        let index = citizens
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
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

fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}
