//! Seeded filler text for synthetic sites, shared by the integration tests
//! (`tests/it/crash.rs`, `tests/it/limits.rs`) and the benchmark's content generator
//! (`examples/synth.rs`), each of which includes this file with `#[path]`. Deterministic for a
//! seed, so a failing run or a benchmark can be repeated.

/// splitmix64: small, fast and good enough to spread synthetic data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: [&str; 24] = [
    "officials",
    "said",
    "the",
    "strike",
    "on",
    "site",
    "was",
    "reported",
    "after",
    "talks",
    "in",
    "capital",
    "ministers",
    "met",
    "forces",
    "launched",
    "a",
    "statement",
    "late",
    "overnight",
    "according",
    "to",
    "agency",
    "sources",
];

/// `n` words of news-like filler, separated by spaces.
pub fn words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}
