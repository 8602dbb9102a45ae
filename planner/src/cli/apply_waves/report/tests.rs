use super::*;

fn tenants(keys: &[&str]) -> Vec<Vec<ModuleStep>> {
    keys.iter()
        .map(|key| {
            format!("module.tenant[\"{key}\"].x.y")
                .parse::<crate::addrs::InstanceAddr>()
                .unwrap()
                .module
        })
        .collect()
}

#[test]
fn lists_name_at_most_five_partitions_and_count_the_rest() {
    assert_eq!(partitions_named(&[]), "no partitions");
    assert_eq!(
        partitions_named(&tenants(&["a"])),
        "1 partition: module.tenant[\"a\"]"
    );
    assert_eq!(
        partitions_named(&tenants(&["a", "b", "c", "d", "e", "f", "g"])),
        "7 partitions: module.tenant[\"a\"], module.tenant[\"b\"], module.tenant[\"c\"], \
         module.tenant[\"d\"], module.tenant[\"e\"], ... (2 more)"
    );
}
