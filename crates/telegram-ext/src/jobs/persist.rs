//! Persistent jobs in the store: the record, its key, and the compare-and-set steps that make
//! each occurrence run in exactly one of the processes sharing the store.
//!
//! The key layout and the claim protocol are documented in the `jobs` module docs (section
//! "Jobs as data").

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use telegram_store::{StoreError, Version};

use super::core::Core;
use super::job::{CallbackRef, JobInfo};
use super::misfire::{decide, Misfire};
use super::schedule::Spec;
use super::JobError;

/// The record format's version, for future migrations.
const FORMAT: u8 = 1;
/// Keys per scan page when loading.
const SCAN_PAGE: usize = 256;

/// A persistent job as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    format: u8,
    pub(crate) id: String,
    name: String,
    pub(crate) callback: String,
    chat_id: Option<i64>,
    user_id: Option<i64>,
    data: serde_json::Value,
    schedule: Spec,
    misfire: Misfire,
    grace_ms: u64,
    pub(crate) enabled: bool,
    pub(crate) next_run: Option<Timestamp>,
    pub(crate) claims: Vec<Claim>,
}

/// Occurrences a process is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claim {
    owner: String,
    /// The occurrences, oldest first; the first identifies the claim.
    pub(crate) runs: Vec<Timestamp>,
    /// Taken over by another process after this.
    until: Timestamp,
}

impl Record {
    pub(crate) fn new(info: &JobInfo, enabled: bool, next_run: Option<Timestamp>) -> Option<Self> {
        let CallbackRef::Named(callback) = &info.callback else {
            return None;
        };
        Some(Record {
            format: FORMAT,
            id: info.id.to_string(),
            name: info.name.to_string(),
            callback: callback.to_string(),
            chat_id: info.chat_id,
            user_id: info.user_id,
            data: info.data().clone(),
            schedule: info.spec.clone(),
            misfire: info.misfire,
            grace_ms: u64::try_from(info.grace.as_millis()).unwrap_or(u64::MAX),
            enabled,
            next_run,
            claims: Vec::new(),
        })
    }

    pub(crate) fn to_info(&self) -> Option<JobInfo> {
        Some(JobInfo {
            id: self.id.as_str().into(),
            name: self.name.clone().into(),
            callback: CallbackRef::Named(self.callback.as_str().into()),
            chat_id: self.chat_id,
            user_id: self.user_id,
            data: JobInfo::keep_data(self.data.clone()),
            spec: self.schedule.clone(),
            misfire: self.misfire,
            grace: Duration::from_millis(self.grace_ms),
        })
    }

    /// When this process should look at the record again: the pending occurrence (when
    /// enabled) or the end of a claim's lease, whichever comes first.
    pub(crate) fn wake(&self) -> Option<Timestamp> {
        let next = self.next_run.filter(|_| self.enabled);
        let lease = self.claims.iter().map(|claim| claim.until).min();
        match (next, lease) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn is_finished(&self) -> bool {
        self.next_run.is_none() && self.claims.is_empty()
    }
}

fn key(core: &Core, id: &str) -> Vec<u8> {
    format!("{}{id}", core.prefix).into_bytes()
}

fn encode(record: &Record) -> Result<Bytes, JobError> {
    serde_json::to_vec(record)
        .map(Bytes::from)
        .map_err(|source| JobError::Encode {
            id: record.id.clone(),
            source,
        })
}

async fn read(core: &Core, id: &str) -> Result<Option<(Record, Version)>, StoreError> {
    let Some(entry) = core.store.get(&key(core, id)).await? else {
        return Ok(None);
    };
    match serde_json::from_slice(&entry.value) {
        Ok(record) => Ok(Some((record, entry.version))),
        Err(error) => Err(StoreError::Corrupt {
            key: String::from_utf8_lossy(&key(core, id)).into_owned(),
            reason: error.to_string(),
        }),
    }
}

/// Writes `record` if the stored version is still `version`; `false` on a conflict.
async fn write(core: &Core, record: &Record, version: Option<Version>) -> Result<bool, JobError> {
    let value = encode(record)?;
    match core
        .store
        .put(&key(core, &record.id), value, version, None)
        .await
    {
        Ok(_) => Ok(true),
        Err(error) if error.is_conflict() => Ok(false),
        Err(error) => Err(error.into()),
    }
}

async fn remove(core: &Core, id: &str, version: Version) -> Result<bool, JobError> {
    match core.store.delete(&key(core, id), version).await {
        Ok(_) => Ok(true),
        Err(error) if error.is_conflict() => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Stores `record`, replacing a job with the same id.
pub(crate) async fn add(core: &Core, record: &Record) -> Result<(), JobError> {
    let key = key(core, &record.id);
    loop {
        // Whatever is there (a corrupt record too) is replaced.
        let version = core.store.get(&key).await?.map(|entry| entry.version);
        if write(core, record, version).await? {
            return Ok(());
        }
    }
}

/// Changes the stored job with `change`; `None` when it does not exist.
pub(crate) async fn update(
    core: &Core,
    id: &str,
    mut change: impl FnMut(&mut Record),
) -> Result<Option<Record>, JobError> {
    loop {
        let Some((mut record, version)) = read(core, id).await? else {
            return Ok(None);
        };
        change(&mut record);
        if write(core, &record, Some(version)).await? {
            return Ok(Some(record));
        }
    }
}

/// Deletes the stored job; `false` when it did not exist.
pub(crate) async fn delete(core: &Core, id: &str) -> Result<bool, JobError> {
    loop {
        let Some(entry) = core.store.get(&key(core, id)).await? else {
            return Ok(false);
        };
        if remove(core, id, entry.version).await? {
            return Ok(true);
        }
    }
}

/// Every stored job of this bot (corrupt records are logged and skipped).
pub(crate) async fn load(core: &Core) -> Result<Vec<Record>, StoreError> {
    let prefix = core.prefix.as_bytes();
    let mut records = Vec::new();
    let mut after: Option<Bytes> = None;
    loop {
        let page = core.store.scan(prefix, after.as_deref(), SCAN_PAGE).await?;
        for (key, entry) in page.entries {
            match serde_json::from_slice::<Record>(&entry.value) {
                Ok(record) => records.push(record),
                Err(error) => {
                    tracing::warn!(key = %String::from_utf8_lossy(&key), %error, "unreadable job record skipped")
                }
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(records),
        }
    }
}

/// Loads the store's jobs into the queue and forgets the ones no longer there.
pub(crate) async fn sync(core: &Core) -> Result<(), StoreError> {
    let records = load(core).await?;
    let present: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    for record in &records {
        core.apply_record(&record.id, Some(record), false);
    }
    core.retain_persistent(&present);
    Ok(())
}

/// What a claim attempt got: the record as it is now (`None`: the job is gone) and the
/// occurrences this process must run (empty: nothing, someone else has them or none is due).
#[derive(Debug)]
pub(crate) struct Claimed {
    pub(crate) record: Option<Record>,
    pub(crate) runs: Vec<Timestamp>,
}

fn lease_end(core: &Core, now: Timestamp) -> Timestamp {
    let lease = SignedDuration::try_from(core.lease).unwrap_or(SignedDuration::MAX);
    now.saturating_add(lease).unwrap_or(Timestamp::MAX)
}

/// Claims what is due of job `id`: an expired claim of another process, or the pending
/// occurrence(s) per the misfire policy.
pub(crate) async fn claim(core: &Core, id: &str) -> Result<Claimed, JobError> {
    loop {
        let Some((mut record, version)) = read(core, id).await? else {
            return Ok(Claimed {
                record: None,
                runs: Vec::new(),
            });
        };
        let now = core.clock.now();
        let until = lease_end(core, now);
        if let Some(stale) = record.claims.iter_mut().find(|claim| claim.until <= now) {
            tracing::info!(job = id, from = %stale.owner, "taking over the occurrences of a claim whose lease ran out");
            stale.owner = core.owner.to_string();
            stale.until = until;
            let runs = stale.runs.clone();
            if write(core, &record, Some(version)).await? {
                return Ok(Claimed {
                    record: Some(record),
                    runs,
                });
            }
            continue;
        }
        let due = record.next_run.filter(|due| record.enabled && *due <= now);
        let Some(due) = due else {
            return Ok(Claimed {
                record: Some(record),
                runs: Vec::new(),
            });
        };
        let grace = Duration::from_millis(record.grace_ms);
        let decision = decide(&record.schedule, record.misfire, grace, due, now);
        record.next_run = decision.next;
        if !decision.runs.is_empty() {
            record.claims.push(Claim {
                owner: core.owner.to_string(),
                runs: decision.runs.clone(),
                until,
            });
        }
        let written = if record.is_finished() {
            remove(core, id, version).await?
        } else {
            write(core, &record, Some(version)).await?
        };
        if written {
            let record = (!record.is_finished()).then_some(record);
            return Ok(Claimed {
                record,
                runs: decision.runs,
            });
        }
    }
}

/// Extends this process's claim on the occurrences starting at `first`; `false` when it no
/// longer holds it.
pub(crate) async fn renew(core: &Core, id: &str, first: Timestamp) -> Result<bool, JobError> {
    let owner = core.owner.to_string();
    let mut held = false;
    let until = lease_end(core, core.clock.now());
    update(core, id, |record| {
        held = false;
        if let Some(claim) = record
            .claims
            .iter_mut()
            .find(|c| c.owner == owner && c.runs.first() == Some(&first))
        {
            claim.until = until;
            held = true;
        }
    })
    .await?;
    Ok(held)
}

/// Removes this process's finished claim (deleting the record of a job that has ended); the
/// record as it is after.
pub(crate) async fn complete(
    core: &Core,
    id: &str,
    first: Timestamp,
) -> Result<Option<Record>, JobError> {
    let owner = core.owner.as_ref();
    loop {
        let Some((mut record, version)) = read(core, id).await? else {
            return Ok(None);
        };
        let before = record.claims.len();
        record
            .claims
            .retain(|c| !(c.owner == owner && c.runs.first() == Some(&first)));
        if record.claims.len() == before {
            // Taken over (our lease ran out) or the job was replaced: nothing of ours to remove.
            return Ok(Some(record));
        }
        if record.is_finished() {
            if remove(core, id, version).await? {
                return Ok(None);
            }
        } else if write(core, &record, Some(version)).await? {
            return Ok(Some(record));
        }
    }
}
