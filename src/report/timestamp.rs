//! The accuracy of a timestamp's time (RFC 3161 §2.4.2), as tokens carry it and the report
//! states it.

/// The accuracy of a timestamp's `genTime` (RFC 3161 §2.4.2: seconds, millis, micros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Accuracy {
    /// Whole seconds.
    pub seconds: u64,
    /// Milliseconds (0–999).
    pub millis: u16,
    /// Microseconds (0–999).
    pub micros: u16,
}

impl Accuracy {
    /// The accuracy as a duration.
    pub fn duration(&self) -> time::Duration {
        let seconds = i64::try_from(self.seconds).unwrap_or(i64::MAX);
        time::Duration::seconds(seconds)
            .saturating_add(time::Duration::milliseconds(i64::from(self.millis)))
            .saturating_add(time::Duration::microseconds(i64::from(self.micros)))
    }
}
