//! Background work a function starts and answers for at once (cPanel's transfer and pkgacct
//! sessions): its state and its logs, kept in the store so that any replica answers for it.

/// A job's state, by cPanel's session state names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Completed,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Running, Self::Completed, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    /// What it does (`transfer`: a restore).
    pub kind: String,
    pub state: JobState,
    /// The replica running it.
    pub holder: String,
    /// Until when the holder has it; a running job whose lease passed has lost its process.
    pub lease_until: i64,
    pub created: i64,
    pub finished: Option<i64>,
    /// Its log, and the errors among it, as lines.
    pub log: String,
    pub error_log: String,
}
