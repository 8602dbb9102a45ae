//! `examples/ci/tenantform-ci.sh` on the `examples/saas` fleet with the example's policies,
//! through both stages as the CI files run them: the merge stage applies the fleet when no
//! plan was saved; a pull request's stage writes the comment by tenant and keeps the plan
//! (encrypted) where only CI reads it; that plan goes stale when another change lands first,
//! so the merge stage plans again, gates again, and applies both changes; a change the
//! policies deny and a mass offboarding over the limit are refused with a comment saying
//! why, no plan kept and nothing deleted, and naming the offboarded tenants lets it through.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::{Path, PathBuf};

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::process::{DEFAULT_TIMEOUT, Output};
use acceptance_tests::{Project, State};

const PLAN_KEY: &str = "correct-horse-battery-staple";
const ORIGINAL_TENANTS: [&str; 6] = [
    "acme",
    "globex",
    "hooli",
    "initech",
    "piedpiper",
    "umbrella",
];

/// The fleet, its policies beside it as the CI files expect, and a private directory.
struct Pipeline {
    project: Project,
    private_dir: PathBuf,
    comment: PathBuf,
}

impl Pipeline {
    fn new() -> Pipeline {
        let project = Project::from_example("saas");
        let policy_source = workspace_root().join("examples/ci/policy");
        for entry in std::fs::read_dir(&policy_source).expect("read the example's policies") {
            let path = entry.expect("a policy file").path();
            let name = path.file_name().expect("a file name").to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("read a policy");
            project.write_file(&format!("policy/{name}"), &text);
        }
        let private_dir = project.scratch_dir("ci-private");
        let comment = project.scratch_dir("ci-shared").join("comment.md");
        Pipeline {
            project,
            private_dir,
            comment,
        }
    }

    /// Runs one stage of the script with the given extra environment.
    fn stage(&self, stage: &str, env: &[(&str, &str)]) -> Output {
        let script = workspace_root().join("examples/ci/tenantform-ci.sh");
        let mut spec = self.project.tenantform_command(&[]);
        spec.program = PathBuf::from("/bin/bash");
        spec.args = vec![script.display().to_string(), stage.to_string()];
        let tenantform = self.project.binaries().tenantform.display().to_string();
        let fixed = [
            ("TENANTFORM", tenantform.as_str()),
            ("TENANTFORM_DIR", "."),
            ("TENANTFORM_PLAN_KEY", PLAN_KEY),
            (
                "TENANTFORM_PRIVATE_DIR",
                self.private_dir.to_str().expect("utf-8"),
            ),
            ("TENANTFORM_COMMENT", self.comment.to_str().expect("utf-8")),
        ];
        for (name, value) in fixed.iter().chain(env) {
            spec = spec.with_env_var(name, value);
        }
        spec.run(DEFAULT_TIMEOUT * 2)
    }

    fn comment(&self) -> String {
        std::fs::read_to_string(&self.comment).expect("the stage wrote the comment")
    }

    fn saved_plans(&self) -> Vec<PathBuf> {
        files_in(&self.private_dir)
    }

    fn forget_comment(&self) {
        let _ = std::fs::remove_file(&self.comment);
    }

    fn tenants_in_state(&self) -> Vec<String> {
        tenant_slugs(&self.project.state())
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// The slugs of the tenants the state holds, sorted.
fn tenant_slugs(state: &State) -> Vec<String> {
    let mut slugs: Vec<String> = state
        .instances
        .iter()
        .filter(|instance| instance.resource_type == "tenant")
        .filter_map(|instance| instance.attribute_str("slug").map(str::to_string))
        .collect();
    slugs.sort();
    slugs
}

/// Every password the state holds: none may reach the comment.
fn passwords(state: &State) -> Vec<String> {
    state
        .instances
        .iter()
        .filter_map(|instance| instance.attribute_str("password"))
        .filter(|password| !password.is_empty())
        .map(str::to_string)
        .collect()
}

fn add_tenant(project: &Project, slug: &str, tier: &str) {
    project.append_to_file(
        "tenants.yaml",
        &format!("  {slug}:\n    name: {slug} Ltd\n    tier: {tier}\n    admins:\n      - ops@{slug}.example\n"),
    );
}

/// With no saved plan the merge stage plans, gates and applies: the whole fleet.
fn first_merge_applies_the_fleet(pipeline: &Pipeline) {
    let merged = pipeline.stage("merge", &[]);
    merged.expect_success();
    assert!(
        merged.stderr.contains("no saved plan"),
        "{}",
        merged.describe()
    );
    assert_eq!(pipeline.tenants_in_state(), ORIGINAL_TENANTS);
}

/// A pull request onboarding `stark` and moving globex to enterprise: the comment shows both
/// tenants and no password, and the plan is kept encrypted outside the configuration.
fn pull_request_comments_by_tenant(pipeline: &Pipeline) -> String {
    let project = &pipeline.project;
    let original_inventory = project.read_file("tenants.yaml");
    project.replace_in_file(
        "tenants.yaml",
        "  globex:\n    name: Globex Inc.\n    tier: standard\n",
        "  globex:\n    name: Globex Inc.\n    tier: enterprise\n",
    );
    add_tenant(project, "stark", "standard");
    pipeline.stage("pr", &[]).expect_success();

    let comment = pipeline.comment();
    for tenant in ["stark", "globex"] {
        assert!(
            comment.contains(tenant),
            "the comment names {tenant}:\n{comment}"
        );
    }
    for password in passwords(&project.state()) {
        assert!(
            !comment.contains(&password),
            "a password reached the comment:\n{comment}"
        );
    }
    let saved = pipeline.saved_plans();
    assert_eq!(saved.len(), 1, "one saved plan: {saved:?}");
    let stored = std::fs::read(&saved[0]).expect("read the stored plan");
    assert!(
        saved[0].extension().is_some_and(|e| e == "enc") && !stored.starts_with(b"PK"),
        "the stored plan is encrypted"
    );
    let leftovers: Vec<PathBuf> = files_in(&project.work_dir())
        .into_iter()
        .filter(|path| path.to_string_lossy().ends_with(".tfplan"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no plan file in the configuration: {leftovers:?}"
    );
    original_inventory
}

/// Another change (hooli to standard) lands first; the merge stage finds the saved plan
/// stale, plans the merged configuration again and applies both changes.
fn stale_plan_is_planned_again(pipeline: &Pipeline, original_inventory: &str) {
    let project = &pipeline.project;
    let proposed = project.read_file("tenants.yaml");
    let hooli_free = "  hooli:\n    name: Hooli\n    tier: free\n";
    let hooli_standard = "  hooli:\n    name: Hooli\n    tier: standard\n";
    project.write_file(
        "tenants.yaml",
        &original_inventory.replace(hooli_free, hooli_standard),
    );
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    project.write_file(
        "tenants.yaml",
        &proposed.replace(hooli_free, hooli_standard),
    );

    let merged = pipeline.stage("merge", &[]);
    merged.expect_success();
    assert!(merged.stderr.contains("stale"), "{}", merged.describe());
    assert!(
        pipeline.saved_plans().is_empty(),
        "the applied plan is not kept"
    );
    let state = project.state();
    let mut expected: Vec<String> = ORIGINAL_TENANTS.iter().map(ToString::to_string).collect();
    expected.push("stark".to_string());
    expected.sort();
    assert_eq!(tenant_slugs(&state), expected);
    let tier = |slug: &str| {
        state
            .instance(&format!("module.tenant[\"{slug}\"].tenant.this"))
            .and_then(|tenant| tenant.attribute_str("tier"))
            .map(str::to_string)
    };
    assert_eq!(tier("globex").as_deref(), Some("enterprise"));
    assert_eq!(
        tier("hooli").as_deref(),
        Some("standard"),
        "the change that landed first stays"
    );
    project.plan_detailed().expect_code(0);
}

/// A tenant created without deletion protection: the policy denies it, the comment says
/// so, and no plan is kept.
fn denied_change_keeps_no_plan(pipeline: &Pipeline) {
    let project = &pipeline.project;
    let inventory = project.read_file("tenants.yaml");
    let main = project.read_file("main.tf");
    project.replace_in_file(
        "main.tf",
        "  default     = true\n",
        "  default     = false\n",
    );
    add_tenant(project, "wayne", "free");
    pipeline.forget_comment();
    pipeline.stage("pr", &[]).expect_code(1);
    let comment = pipeline.comment();
    assert!(comment.contains("plan failed"), "{comment}");
    assert!(
        comment.contains(
            "module.tenant[\\\"wayne\\\"].tenant.this is created without deletion protection"
        ) || comment.contains(
            "module.tenant[\"wayne\"].tenant.this is created without deletion protection"
        ),
        "the comment gives the policy's message:\n{comment}"
    );
    assert!(
        pipeline.saved_plans().is_empty(),
        "a denied plan is not kept"
    );
    project.write_file("tenants.yaml", &inventory);
    project.write_file("main.tf", &main);
}

/// With deletion protection lifted (a change applied earlier), offboarding four tenants
/// with a limit of 3 deletions is refused before anything is touched; naming the four
/// tenants lets the plan through.
fn mass_offboarding_needs_names(pipeline: &Pipeline) {
    let project = &pipeline.project;
    project.replace_in_file(
        "main.tf",
        "  default     = true\n",
        "  default     = false\n",
    );
    project
        .tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .expect_success();
    let inventory = project.read_file("tenants.yaml");
    let offboarded = ["hooli", "initech", "piedpiper", "umbrella"];
    project.write_file("tenants.yaml", &without_tenants(&inventory, &offboarded));
    let limit = [("TENANTFORM_MAX_DESTROY", "3")];
    pipeline.forget_comment();
    pipeline.stage("pr", &limit).expect_code(1);
    let comment = pipeline.comment();
    assert!(comment.contains("plan failed"), "{comment}");
    assert!(
        pipeline.saved_plans().is_empty(),
        "a refused plan is not kept"
    );
    assert_eq!(pipeline.tenants_in_state().len(), 7, "nothing was deleted");

    let allowed = offboarded
        .iter()
        .map(|slug| format!("module.tenant[\"{slug}\"]"))
        .collect::<Vec<_>>()
        .join(" ");
    let env = [limit[0], ("TENANTFORM_ALLOW_DESTROY", allowed.as_str())];
    pipeline.stage("pr", &env).expect_success();
    let comment = pipeline.comment();
    for slug in offboarded {
        assert!(
            comment.contains(slug),
            "the comment names {slug}:\n{comment}"
        );
    }
    assert_eq!(pipeline.saved_plans().len(), 1);
    assert_eq!(
        pipeline.tenants_in_state().len(),
        7,
        "the PR stage deletes nothing"
    );
}

/// The inventory without the named tenants' entries.
fn without_tenants(inventory: &str, slugs: &[&str]) -> String {
    let mut kept = String::new();
    let mut skipping = false;
    for line in inventory.lines() {
        if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            skipping = slugs.contains(&key);
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

#[test]
fn example_policies_pass_their_own_tests() {
    let pipeline = Pipeline::new();
    let tested = pipeline.project.tenantform(&["policy", "test", "policy"]);
    tested.expect_success();
    assert!(tested.stdout.contains("PASS: 6/6"), "{}", tested.describe());
}

#[test]
fn ci_script_runs_both_stages_on_a_fleet() {
    let pipeline = Pipeline::new();
    first_merge_applies_the_fleet(&pipeline);
    let original_inventory = pull_request_comments_by_tenant(&pipeline);
    stale_plan_is_planned_again(&pipeline, &original_inventory);
    denied_change_keeps_no_plan(&pipeline);
    mass_offboarding_needs_names(&pipeline);
}

/// `TF_ENCRYPTION` for state and plan, beside `TENANTFORM_PLAN_KEY`.
const TF_ENCRYPTION: &str = "key_provider \"pbkdf2\" \"main\" {\n  passphrase = \"ci-state-passphrase-0123\"\n  iterations = 200000\n}\nmethod \"aes_gcm\" \"main\" {\n  keys = key_provider.pbkdf2.main\n}\nstate {\n  method = method.aes_gcm.main\n}\nplan {\n  method = method.aes_gcm.main\n}\n";

/// Both layers compose: tenantform writes the plan as a `TF_ENCRYPTION` envelope, the script
/// encrypts that file again with `TENANTFORM_PLAN_KEY` for the journey to the merge stage,
/// and the merge stage peels the script's layer and applies the envelope with the key.
#[test]
fn ci_script_composes_with_tf_encryption() {
    let pipeline = Pipeline::new();
    let env = [("TF_ENCRYPTION", TF_ENCRYPTION)];
    pipeline.stage("merge", &env).expect_success();
    add_tenant(&pipeline.project, "stark", "standard");
    pipeline.stage("pr", &env).expect_success();
    assert!(
        pipeline.comment().contains("stark"),
        "{}",
        pipeline.comment()
    );
    let saved = pipeline.saved_plans();
    assert_eq!(saved.len(), 1, "one saved plan: {saved:?}");
    let inner = pipeline.project.path("inner.tfplan");
    let peeled = std::process::Command::new("openssl")
        .args([
            "enc",
            "-d",
            "-aes-256-cbc",
            "-pbkdf2",
            "-pass",
            "env:TENANTFORM_PLAN_KEY",
        ])
        .arg("-in")
        .arg(&saved[0])
        .arg("-out")
        .arg(&inner)
        .env("TENANTFORM_PLAN_KEY", PLAN_KEY)
        .status()
        .expect("run openssl");
    assert!(peeled.success());
    let envelope = std::fs::read_to_string(&inner).expect("read the inner plan");
    assert!(envelope.contains("\"encryption_version\":\"v0\"") && !envelope.contains("stark"));
    std::fs::remove_file(&inner).expect("remove the inner plan");

    let merged = pipeline.stage("merge", &env);
    merged.expect_success();
    assert!(!merged.stderr.contains("stale"), "{}", merged.describe());
    let stored = pipeline.project.read_file("terraform.tfstate");
    assert!(stored.contains("\"encryption_version\":\"v0\"") && !stored.contains("stark"));
    let pulled = pipeline
        .project
        .tenantform_command(&["state", "pull"])
        .with_env_var("TF_ENCRYPTION", TF_ENCRYPTION)
        .run(DEFAULT_TIMEOUT);
    pulled.expect_success();
    let state = State::parse(&pulled.stdout).expect("state pull prints a state");
    assert!(tenant_slugs(&state).contains(&"stark".to_string()));
}
