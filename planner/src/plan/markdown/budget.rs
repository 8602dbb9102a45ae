//! Fitting the comment into GitHub's limit. The headline and the alerts always stand; the
//! body degrades until it fits: (1) long-text diffs left out, then (2) attribute tables left
//! out (one line per instance), then (3) one row of counts per tenant, then (4) as many
//! tenants' rows as fit and "… and N more tenants". Sizes are counted in bytes, which is never
//! less than GitHub's count of characters.

use super::headline::{alerts, headline};
use super::sections::{body, first_groups};
use super::{Detail, Review};

/// The comment and (for tests) the level of detail it kept.
#[derive(Debug)]
pub(super) struct Fitted {
    pub text: String,
    #[cfg(test)]
    pub detail: Detail,
}

impl Fitted {
    fn new(text: String, detail: Detail) -> Fitted {
        #[cfg(not(test))]
        let _ = detail;
        Fitted {
            text,
            #[cfg(test)]
            detail,
        }
    }
}

/// The most detailed comment of at most `limit` bytes (given a limit that holds the
/// headline and the alerts, which are capped well below GitHub's).
pub(super) fn fit(review: &Review<'_>, limit: usize) -> Fitted {
    let top = headline(review) + &alerts(review);
    let budget = limit.saturating_sub(top.len());
    for detail in [
        Detail::Full,
        Detail::NoDiffs,
        Detail::Addresses,
        Detail::Counts,
    ] {
        if let Some(rest) = body(review, detail, budget) {
            return Fitted::new(top + &rest, detail);
        }
    }
    let rest = first_groups(review, budget);
    if top.len() + rest.len() <= limit {
        return Fitted::new(top + &rest, Detail::FirstGroups);
    }
    // Only a limit far below GitHub's gets here: the headline alone.
    Fitted::new(headline(review), Detail::FirstGroups)
}
