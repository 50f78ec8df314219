//! Typed indexes of the district's things: a force and a commune are positions in the settings'
//! `forces` and `communes`, a unit is a position in the run's unit registry
//! ([`crate::assign::directory::Units`]). Each is its own type, so a force cannot be passed where a
//! unit is meant; polars columns carry them as `u32` ([`ForceIx::as_u32`] and friends).

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl $name {
            pub const fn new(index: usize) -> Self {
                Self(index)
            }

            /// The position it stands for.
            pub const fn get(self) -> usize {
                self.0
            }

            /// As a polars `u32` column value (a district has far fewer than 2³² of each).
            pub const fn as_u32(self) -> u32 {
                self.0 as u32
            }

            /// Every index below `count`, in order.
            pub fn all(count: usize) -> impl Iterator<Item = Self> + Clone {
                (0..count).map(Self)
            }
        }
    };
}

index_type!(
    /// A force: its position in the settings' `[[forces]]`, which is also its rank (SPEC §11.5).
    ForceIx
);
index_type!(
    /// A commune: its position in the settings' `communes`.
    CommuneIx
);
index_type!(
    /// A unit: its position in the run's unit registry, in the order units were first seen.
    UnitIx
);

/// A sort key that puts rows without a commune after every commune (the sheets' order).
pub fn commune_last(commune: Option<CommuneIx>) -> usize {
    commune.map_or(usize::MAX, CommuneIx::get)
}

/// A value for every force × commune cell (the commune × force tables, SPEC §11.7).
#[derive(Debug, Clone, PartialEq)]
pub struct ForceCommuneGrid<T> {
    communes: usize,
    /// Row by row: every commune of the first force, then of the second, …
    cells: Vec<T>,
}

impl<T: Clone> ForceCommuneGrid<T> {
    /// A grid of `forces` × `communes` cells, each `fill`.
    pub fn new(forces: usize, communes: usize, fill: T) -> Self {
        Self {
            communes,
            cells: vec![fill; forces * communes],
        }
    }
}

impl<T> ForceCommuneGrid<T> {
    pub fn get(&self, force: ForceIx, commune: CommuneIx) -> &T {
        &self.cells[force.get() * self.communes + commune.get()]
    }

    pub fn get_mut(&mut self, force: ForceIx, commune: CommuneIx) -> &mut T {
        &mut self.cells[force.get() * self.communes + commune.get()]
    }

    /// A force's cells, commune by commune.
    pub fn row(&self, force: ForceIx) -> &[T] {
        let start = force.get() * self.communes;
        &self.cells[start..start + self.communes]
    }

    /// Every cell with its force and commune, force by force.
    pub fn cells(&self) -> impl Iterator<Item = (ForceIx, CommuneIx, &T)> {
        let communes = self.communes.max(1);
        self.cells.iter().enumerate().map(move |(i, cell)| {
            (
                ForceIx::new(i / communes),
                CommuneIx::new(i % communes),
                cell,
            )
        })
    }

    /// Every cell with its force and commune, to change.
    pub fn cells_mut(&mut self) -> impl Iterator<Item = (ForceIx, CommuneIx, &mut T)> {
        let communes = self.communes.max(1);
        self.cells.iter_mut().enumerate().map(move |(i, cell)| {
            (
                ForceIx::new(i / communes),
                CommuneIx::new(i % communes),
                cell,
            )
        })
    }
}
