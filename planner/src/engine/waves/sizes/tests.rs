use super::*;

fn reached(sizes: &str, total: usize) -> Vec<usize> {
    WaveSizes::parse(sizes).unwrap().cumulative(total)
}

#[test]
fn sizes_are_counts_then_percentages_ending_at_all() {
    assert_eq!(
        WaveSizes::parse("1,10%,100%").unwrap(),
        WaveSizes(vec![
            WaveSize::Count(1),
            WaveSize::Percent(10),
            WaveSize::Percent(100)
        ])
    );
    assert_eq!(
        WaveSizes::parse(" 2 , 5, 50% ,100%").unwrap().0.len(),
        4,
        "blanks around items are allowed"
    );
    assert_eq!(WaveSizes::parse("100%").unwrap().cumulative(7), [7]);
}

#[test]
fn bad_sizes_are_refused_with_the_reason() {
    for (bad, why) in [
        ("", "comma-separated"),
        ("1,,100%", "comma-separated"),
        ("1,10%", "last wave must be 100%"),
        ("1,5", "last wave must be 100%"),
        ("0,100%", "neither a number"),
        ("x,100%", "neither a number"),
        ("-1,100%", "neither a number"),
        ("0%,100%", "percentage from 1% to 100%"),
        ("1,150%", "percentage from 1% to 100%"),
        ("1,2.5%,100%", "percentage from 1% to 100%"),
        ("5,3,100%", "must increase"),
        ("50%,10%,100%", "must increase"),
        ("100%,100%", "must increase"),
        ("10%,2,100%", "cannot follow a percentage"),
    ] {
        let message = WaveSizes::parse(bad).unwrap_err();
        assert!(message.starts_with("Invalid -waves value"), "{message}");
        assert!(message.contains(why), "{bad:?}: {message}");
    }
}

#[test]
fn waves_reach_their_cumulative_share_rounded_up() {
    // 20 partitions: 1, then 10% (2) in all, then all.
    assert_eq!(reached("1,10%,100%", 20), [1, 2, 20]);
    // 100 partitions: 1, 10, 100.
    assert_eq!(reached("1,10%,100%", 100), [1, 10, 100]);
    // 10% of 15 is 1.5: rounded up to 2.
    assert_eq!(reached("10%,100%", 15), [2, 15]);
    assert_eq!(reached("2,5,25%,100%", 40), [2, 5, 10, 40]);
}

#[test]
fn every_wave_takes_at_least_one_more_and_empty_waves_are_dropped() {
    // 10% of 5 is 1, no more than wave 1 had: wave 2 still takes one more.
    assert_eq!(reached("1,10%,100%", 5), [1, 2, 5]);
    // 3 partitions: 1, one more, then the last.
    assert_eq!(reached("1,10%,50%,100%", 3), [1, 2, 3]);
    // One partition: a single wave.
    assert_eq!(reached("1,10%,100%", 1), [1]);
    // A count beyond the partitions stops at all of them.
    assert_eq!(reached("5,100%", 2), [2]);
    // No partition with changes: one wave, of the changes outside the partitions.
    assert_eq!(reached("1,10%,100%", 0), [0]);
}
