//! The language of what kyso writes for people.

/// The language of a text rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// `en` in English, `vi` in Vietnamese.
    pub fn pick(self, en: &'static str, vi: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Vi => vi,
        }
    }
}
