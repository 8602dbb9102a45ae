//! `-waves=SIZES`: the cumulative sizes of a canary rollout's waves, and how many partitions
//! each wave reaches once the number of partitions with changes is known.
//!
//! A size is a count of partitions (`1`, `5`) or a percentage of the partitions with changes
//! (`10%`, `100%`). Sizes are cumulative: `1,10%,100%` is one partition, then up to 10% of
//! them in all, then all. A percentage rounds up (10% of 5 partitions is 1), a wave always
//! takes at least one partition more than the waves before it while any is left, and a wave
//! with nothing left to take is dropped. Counts come first and grow, percentages follow and
//! grow, and the last size is `100%`.

/// One wave's cumulative size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WaveSize {
    /// This many partitions in all.
    Count(usize),
    /// This percentage (1 to 100) of the partitions in all.
    Percent(usize),
}

/// The parsed `-waves` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WaveSizes(Vec<WaveSize>);

impl WaveSizes {
    /// Parses a comma-separated list of cumulative sizes, `N` or `P%`, ending in `100%`.
    pub(crate) fn parse(text: &str) -> Result<WaveSizes, String> {
        let invalid = |why: &str| format!("Invalid -waves value {text:?}: {why}");
        let mut sizes = Vec::new();
        for item in text.split(',').map(str::trim) {
            let size = parse_size(item).map_err(|why| invalid(&why))?;
            if let Some(&previous) = sizes.last() {
                check_increasing(previous, size).map_err(|why| invalid(&why))?;
            }
            sizes.push(size);
        }
        if sizes.last() != Some(&WaveSize::Percent(100)) {
            return Err(invalid(
                "the last wave must be 100%, so that the rollout reaches every partition",
            ));
        }
        Ok(WaveSizes(sizes))
    }

    /// The number of partitions reached after each wave, for `total` partitions with
    /// changes: strictly increasing, the last one `total`. With no partition there is one
    /// wave, of none (it applies the changes outside the partitions).
    pub(crate) fn cumulative(&self, total: usize) -> Vec<usize> {
        if total == 0 {
            return vec![0];
        }
        let mut reached = Vec::new();
        let mut previous = 0;
        for size in &self.0 {
            let wanted = match *size {
                WaveSize::Count(count) => count,
                WaveSize::Percent(percent) => (percent * total).div_ceil(100),
            };
            let next = wanted.max(previous + 1).min(total);
            if next > previous {
                reached.push(next);
                previous = next;
            }
        }
        reached
    }
}

fn parse_size(item: &str) -> Result<WaveSize, String> {
    if item.is_empty() {
        return Err("expected a comma-separated list of sizes such as 1,10%,100%".into());
    }
    if let Some(number) = item.strip_suffix('%') {
        return match number.trim().parse::<usize>() {
            Ok(percent @ 1..=100) => Ok(WaveSize::Percent(percent)),
            _ => Err(format!(
                "{item:?} is not a percentage from 1% to 100% (whole numbers only)"
            )),
        };
    }
    match item.parse::<usize>() {
        Ok(count @ 1..) => Ok(WaveSize::Count(count)),
        _ => Err(format!(
            "{item:?} is neither a number of partitions (1 or more) nor a percentage"
        )),
    }
}

fn check_increasing(previous: WaveSize, next: WaveSize) -> Result<(), String> {
    match (previous, next) {
        (WaveSize::Count(a), WaveSize::Count(b)) | (WaveSize::Percent(a), WaveSize::Percent(b))
            if b <= a =>
        {
            Err("the sizes are cumulative and must increase".into())
        }
        (WaveSize::Percent(_), WaveSize::Count(_)) => {
            Err("a number of partitions cannot follow a percentage (the counts come first)".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
