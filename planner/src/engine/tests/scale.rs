//! Scale checks (ignored by default; run with `--ignored --nocapture`): the no-op plan and the
//! apply must cost time linear in the number of resources.

use std::time::Instant;

use super::*;

/// `pairs` things with a child each, 50 pairs per file. (Source ranges are computed by
/// scanning their file from the start, so one huge file would measure that instead.)
fn many(pairs: usize) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for i in 0..pairs {
        let source: &mut String = files.entry(format!("t{:05}.tf", i / 50)).or_default();
        source.push_str(&format!(
            "resource \"fake_thing\" \"t{i}\" {{\n  name = \"t{i}\"\n}}\n\
             resource \"fake_child\" \"c{i}\" {{\n  parent_id = fake_thing.t{i}.id\n  label = \"c{i}\"\n}}\n"
        ));
    }
    files
}

async fn timings(pairs: usize) -> (f64, f64) {
    let fake = FakeProvider::new();
    let config = crate::config::load_sources(std::path::Path::new("."), many(pairs))
        .unwrap_or_else(|d| panic!("{d}"));
    let started = Instant::now();
    let state = converge(&config, &State::new(), &fake).await;
    let apply = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let options = PlanOptions {
        show_only: false,
        mode: PlanMode::Normal,
        refresh: false,
        parallelism: 10,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: "default".into(),
        sweep: None,
        scope: Default::default(),
    };
    let plan = plan_with(&config, &state, &fake, &options).await;
    assert!(plan.is_empty());
    (apply, started.elapsed().as_secs_f64())
}

#[tokio::test]
#[ignore = "a benchmark, not a unit test"]
async fn no_op_plan_and_apply_scale_linearly() {
    let (apply_small, plan_small) = timings(500).await;
    let (apply_large, plan_large) = timings(5000).await;
    println!("1,000 resources: apply {apply_small:.2}s, no-op plan {plan_small:.2}s");
    println!("10,000 resources: apply {apply_large:.2}s, no-op plan {plan_large:.2}s");
    assert!(
        plan_large < plan_small * 20.0,
        "the no-op plan grows faster than linearly"
    );
}
