//! Synthetic people for `demo`: IDs of Điện Biên (province code 011) consistent with their birth
//! year and sex, Vietnamese and ethnic-minority names of the north-west, villages and phones.

/// SplitMix64: a tiny, fixed pseudo-random generator. Hand-written on purpose: the demo data must be
/// byte-stable across dependency upgrades, which the `rand` crate's `StdRng` does not promise.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FAMILY: [&str; 16] = [
    "Lò", "Quàng", "Lường", "Tòng", "Cà", "Vì", "Giàng", "Vừ", "Sùng", "Mùa", "Nguyễn", "Trần",
    "Lê", "Phạm", "Hoàng", "Đỗ",
];
const MALE: [&str; 12] = [
    "An", "Bình", "Cường", "Dũng", "Hùng", "Minh", "Páo", "Dính", "Sơn", "Thắng", "Tú", "Phong",
];
const FEMALE: [&str; 12] = [
    "Hoa", "Mai", "Xuân", "Hoà", "Thuỷ", "Lan", "Dợ", "Mỷ", "Ngọc", "Hương", "Thu", "Nga",
];
const VILLAGES: [&str; 10] = [
    "Bản Phiêng",
    "Bản Hới",
    "Bản Chăn",
    "Bản Có",
    "Bản Xôm",
    "Bản Lồng",
    "Bản Món",
    "Bản Đông",
    "Bản Kép",
    "Bản Sáng",
];

/// One citizen.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u64,
    pub name: String,
    pub dob: String,
    pub commune: usize,
    pub village: String,
    pub phone: String,
}

/// The `index`-th citizen: IDs are unique (the index is the 6-digit serial plus a birth-year part).
pub fn person(index: u64, communes: usize, rng: &mut Rng) -> Person {
    let year = 1950 + rng.below(58) as u32;
    let female = rng.below(2) == 1;
    let century_digit = 2 * ((year - 1900) / 100) + u32::from(female);
    // PPP G YY RRRRRR with a serial unique per index: Điện Biên (011) for the first million
    // citizens, then the codes 100-299 (birth registered abroad) so IDs stay unique and valid.
    let serial = index % 1_000_000;
    let province = match index / 1_000_000 {
        0 => 11,
        block => 99 + block.min(200),
    };
    let id = province * 1_000_000_000
        + u64::from(century_digit) * 100_000_000
        + u64::from(year % 100) * 1_000_000
        + serial;
    let given = if female {
        rng.pick(&FEMALE)
    } else {
        rng.pick(&MALE)
    };
    let middle = if female { "Thị" } else { "Văn" };
    let name = format!("{} {middle} {given}", rng.pick(&FAMILY));
    let dob = format!("{:02}/{:02}/{year}", 1 + rng.below(28), 1 + rng.below(12));
    Person {
        id,
        name,
        dob,
        commune: rng.below(communes as u64) as usize,
        village: rng.pick(&VILLAGES).to_string(),
        phone: format!("09{:08}", rng.below(100_000_000)),
    }
}

/// An officer's name for a force's unit in a commune (a few per unit).
pub fn officer(force: usize, commune: usize, rng: &mut Rng) -> String {
    let mut local = Rng::new((force as u64) << 32 | commune as u64);
    let names: Vec<String> = (0..3)
        .map(|_| format!("{} Văn {}", local.pick(&FAMILY), local.pick(&MALE)))
        .collect();
    names[rng.below(3) as usize].clone()
}
