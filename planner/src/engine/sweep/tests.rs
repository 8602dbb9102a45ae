//! The slicing of `-sweep=K/N`: parsing, stable values, and tenants kept together.

use super::*;

fn addr(text: &str) -> InstanceAddr {
    text.parse().expect("a valid address")
}

#[test]
fn the_hash_is_the_first_eight_bytes_of_sha256_big_endian() {
    // Known values: fixed forever, since a changed rule would reshuffle every nightly job.
    assert_eq!(stable_hash("acme"), 0x822b_33ad_87c1_48a0);
    assert_eq!(stable_hash("globex"), 0x5bc1_a08d_28e4_0fe7);
    assert_eq!(slice_of("acme", 3), 1);
    assert_eq!(slice_of("globex", 3), 2);
    assert_eq!(slice_of("umbrella", 3), 3);
    assert_eq!(slice_of("globex", 5), 5);
    assert_eq!(slice_of("tenant.shared", 5), 5);
}

#[test]
fn the_partition_key_is_the_tenant_or_else_the_whole_address() {
    assert_eq!(
        partition_key(&addr("module.tenant[\"acme\"].tenant.db")),
        "acme"
    );
    assert_eq!(
        partition_key(&addr(
            "module.platform.module.tenant[\"acme\"].module.x[\"y\"].tenant.db"
        )),
        "acme"
    );
    assert_eq!(
        partition_key(&addr("module.a[0].tenant.db[\"k\"]")),
        "module.a[0].tenant.db[\"k\"]"
    );
    assert_eq!(partition_key(&addr("tenant.shared")), "tenant.shared");
}

#[test]
fn every_instance_is_in_exactly_one_slice_and_tenants_stay_together() {
    let names = [
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne",
    ];
    let mut addrs = Vec::new();
    for name in names {
        addrs.push(addr(&format!("module.tenant[\"{name}\"].tenant.db")));
        addrs.push(addr(&format!("module.tenant[\"{name}\"].tenant.role[1]")));
    }
    addrs.push(addr("tenant.shared"));
    addrs.push(addr("data.tenant.catalog"));
    for slices in 1..=7 {
        let sweeps: Vec<Sweep> = (1..=slices)
            .map(|k| Sweep::parse(&format!("{k}/{slices}")).expect("valid"))
            .collect();
        for a in &addrs {
            let covering = sweeps.iter().filter(|s| s.covers(a)).count();
            assert_eq!(covering, 1, "{a} in {covering} of {slices} slices");
        }
        for pair in addrs.chunks(2).take(names.len()) {
            for sweep in &sweeps {
                assert_eq!(sweep.covers(&pair[0]), sweep.covers(&pair[1]), "{pair:?}");
            }
        }
    }
    let all = Sweep::parse("1/1").expect("valid");
    assert!(addrs.iter().all(|a| all.covers(a)));
}

#[test]
fn parsing_accepts_k_of_n_and_refuses_everything_else() {
    assert_eq!(
        Sweep::parse("2/3"),
        Ok(Sweep {
            slice: 2,
            slices: 3
        })
    );
    assert_eq!(
        Sweep::parse("1/1"),
        Ok(Sweep {
            slice: 1,
            slices: 1
        })
    );
    for bad in [
        "", "3", "0/3", "4/3", "1/0", "0/0", "a/3", "1/b", "-1/3", "1.5/3", "1/3/5", "/",
    ] {
        let Err(message) = Sweep::parse(bad) else {
            panic!("-sweep={bad} accepted");
        };
        assert!(message.contains("1 <= K <= N"), "{message}");
    }
}
