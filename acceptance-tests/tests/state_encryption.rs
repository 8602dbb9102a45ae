//! Encryption at rest with `TF_ENCRYPTION` (OpenTofu's `encryption` block body): the state
//! file, its backup and saved plan files hold no tenant name and no secret; a missing or
//! wrong key fails with a clear message and leaves the state byte for byte as it was; a new
//! passphrase with the old one as fallback rotates the key; the `external` key provider
//! runs a command for its key; an unencrypted state is read only through an `unencrypted`
//! method; the `pg` backend's rows are encrypted too. A `terraform { encryption { ... } }`
//! block stays refused, pointing to `TF_ENCRYPTION`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::generate::tenants_config;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::Profile;
use acceptance_tests::process::Output;
use acceptance_tests::recovery::wait_for_catalog_objects;
use acceptance_tests::state::State;
use acceptance_tests::state_secrets::state_secrets;

const TIMEOUT: Duration = Duration::from_secs(300);
const PASSPHRASE: &str = "correct-horse-battery-staple-one";
const NEW_PASSPHRASE: &str = "a-brand-new-passphrase-for-rotation";
/// Words of the quickstart example's tenants that an encrypted file must not show.
const TENANT_WORDS: [&str; 3] = ["Acme Corporation", "acme", "ada@acme.example"];

/// `TF_ENCRYPTION` with a pbkdf2 key provider and aes_gcm on state and plan.
fn encryption(passphrase: &str) -> String {
    format!(
        "key_provider \"pbkdf2\" \"main\" {{\n  passphrase = \"{passphrase}\"\n  iterations = 200000\n}}\n\
         method \"aes_gcm\" \"main\" {{\n  keys = key_provider.pbkdf2.main\n}}\n\
         state {{\n  method = method.aes_gcm.main\n}}\n\
         plan {{\n  method = method.aes_gcm.main\n}}\n"
    )
}

/// `new` as the method, `old` as its fallback; the old key provider keeps its name
/// (`main`), since the stored metadata is keyed by it.
fn rotation(old: &str, new: &str) -> String {
    format!(
        "key_provider \"pbkdf2\" \"main\" {{\n  passphrase = \"{old}\"\n  iterations = 200000\n}}\n\
         key_provider \"pbkdf2\" \"new\" {{\n  passphrase = \"{new}\"\n  iterations = 200000\n}}\n\
         method \"aes_gcm\" \"old\" {{\n  keys = key_provider.pbkdf2.main\n}}\n\
         method \"aes_gcm\" \"new\" {{\n  keys = key_provider.pbkdf2.new\n}}\n\
         state {{\n  method = method.aes_gcm.new\n  fallback {{\n    method = method.aes_gcm.old\n  }}\n}}\n"
    )
}

/// Runs `tenantform ARGS` with `TF_ENCRYPTION` set to `config` (unset when `None`).
fn run(project: &Project, config: Option<&str>, args: &[&str]) -> Output {
    let mut command = project.tenantform_command(args);
    if let Some(config) = config {
        command = command.with_env_var("TF_ENCRYPTION", config);
    }
    command.run(TIMEOUT)
}

fn apply(project: &Project, config: Option<&str>) -> Output {
    run(
        project,
        config,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
}

fn plan_code(project: &Project, config: Option<&str>) -> Output {
    run(
        project,
        config,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    )
}

fn read_bytes(project: &Project, relative: &str) -> Vec<u8> {
    std::fs::read(project.path(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// The decrypted state, through `state pull` with the key.
fn pulled_state(project: &Project, config: &str) -> State {
    let output = run(project, Some(config), &["state", "pull"]);
    output.expect_success();
    State::parse(&output.stdout).expect("state pull prints a state")
}

/// Panics when `bytes` (the file `what`) is not an encryption envelope, or shows any of
/// `words` in its clear fields or in its ciphertext's bytes. (The ciphertext's base64 text is
/// not searched: random base64 holds a short word such as "acme" now and then.)
fn assert_hides(what: &str, bytes: &[u8], words: &[String]) {
    use base64::Engine as _;
    let mut envelope: serde_json::Value =
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what} is not JSON: {e}"));
    assert_eq!(
        envelope["encryption_version"], "v0",
        "{what} is not an encryption envelope"
    );
    let encoded = envelope["encrypted_data"].take();
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{what}'s encrypted_data is not base64: {e}"));
    assert!(!ciphertext.is_empty(), "{what} holds no ciphertext");
    let clear = envelope.to_string();
    for word in words {
        let in_ciphertext = ciphertext
            .windows(word.len())
            .any(|window| window == word.as_bytes());
        assert!(
            !clear.contains(word.as_str()) && !in_ciphertext,
            "{what} shows a tenant word or a secret"
        );
    }
}

fn hidden_words(state: &State) -> Vec<String> {
    let mut words: Vec<String> = TENANT_WORDS.iter().map(ToString::to_string).collect();
    let secrets = state_secrets(state);
    assert!(!secrets.is_empty(), "the quickstart state holds secrets");
    words.extend(secrets.into_iter().map(|s| s.value));
    words
}

fn assert_refused(output: &Output, cause: &str, state_before: &[u8], project: &Project) {
    output.expect_code(1);
    let message = output.combined();
    assert!(
        message.contains("terraform.tfstate") && message.contains(cause),
        "the error names neither the file nor the cause ({cause})\n{}",
        output.describe()
    );
    assert!(!message.contains("No changes"), "{}", output.describe());
    assert_eq!(
        read_bytes(project, "terraform.tfstate"),
        state_before,
        "the state file changed"
    );
}

#[test]
fn state_backup_and_plan_are_encrypted_and_need_the_key() {
    let project = Project::from_example("quickstart");
    let config = encryption(PASSPHRASE);
    run(&project, Some(&config), &["init", "-input=false"]).expect_success();
    let planned = run(
        &project,
        Some(&config),
        &["plan", "-input=false", "-no-color", "-out", "create.tfplan"],
    );
    planned.expect_success();
    let mut outputs = vec![planned.combined()];
    outputs.push(apply_saved(&project, &config));
    project.replace_in_file(
        "main.tf",
        "tier                = \"enterprise\"",
        "tier = \"standard\"",
    );
    let second = apply(&project, Some(&config));
    second.expect_success();
    outputs.push(second.combined());
    let changed = run(
        &project,
        Some(&config),
        &["plan", "-input=false", "-no-color", "-out", "again.tfplan"],
    );
    outputs.push(changed.combined());

    let state = pulled_state(&project, &config);
    let words = hidden_words(&state);
    for file in [
        "terraform.tfstate",
        "terraform.tfstate.backup",
        "create.tfplan",
    ] {
        assert_hides(file, &read_bytes(&project, file), &words);
    }
    let planned_again = plan_code(&project, Some(&config));
    planned_again.expect_code(0);
    outputs.push(planned_again.combined());
    let traced = project
        .tenantform_command(&["plan", "-input=false", "-no-color"])
        .with_env_var("TF_ENCRYPTION", &config)
        .with_env_var("TF_LOG", "trace")
        .run(TIMEOUT);
    traced.expect_success();
    outputs.push(traced.combined());
    for text in &outputs {
        assert!(!text.contains(PASSPHRASE), "the passphrase shows in output");
    }

    let before = read_bytes(&project, "terraform.tfstate");
    assert_refused(&plan_code(&project, None), "no key", &before, &project);
    assert_refused(&apply(&project, None), "no key", &before, &project);
    let wrong = encryption("this-is-not-the-right-passphrase");
    let refused = plan_code(&project, Some(&wrong));
    assert_refused(&refused, "does not decrypt", &before, &project);
    assert!(
        !refused
            .combined()
            .contains("this-is-not-the-right-passphrase")
    );
    assert_refused(
        &apply(&project, Some(&wrong)),
        "does not decrypt",
        &before,
        &project,
    );
    for reader in [
        &["show", "-no-color"][..],
        &["output", "-no-color"],
        &["state", "list"],
    ] {
        assert_refused(&run(&project, None, reader), "no key", &before, &project);
    }
    let shown = run(&project, Some(&config), &["show", "-no-color"]);
    shown.expect_success();
    assert!(
        shown.stdout.contains("Acme Corporation"),
        "{}",
        shown.describe()
    );
    let show = run(&project, None, &["show", "-no-color", "create.tfplan"]);
    show.expect_code(1);
    assert!(
        show.combined().contains("create.tfplan"),
        "{}",
        show.describe()
    );
}

/// `apply create.tfplan`, which must succeed; returns its output.
fn apply_saved(project: &Project, config: &str) -> String {
    let applied = run(
        project,
        Some(config),
        &["apply", "-input=false", "-no-color", "create.tfplan"],
    );
    applied.expect_success();
    applied.combined()
}

#[test]
fn a_new_passphrase_with_the_old_as_fallback_rotates_the_key() {
    let project = Project::from_example("quickstart");
    let old = encryption(PASSPHRASE);
    run(&project, Some(&old), &["init", "-input=false"]).expect_success();
    apply(&project, Some(&old)).expect_success();

    let rotating = rotation(PASSPHRASE, NEW_PASSPHRASE);
    plan_code(&project, Some(&rotating)).expect_code(0);
    apply(&project, Some(&rotating)).expect_success();

    // The state now holds metadata for `key_provider.pbkdf2.new` only.
    let before = read_bytes(&project, "terraform.tfstate");
    assert_refused(
        &plan_code(&project, Some(&old)),
        "no key",
        &before,
        &project,
    );
    let old_named_new = named_new(&encryption(PASSPHRASE));
    assert_refused(
        &plan_code(&project, Some(&old_named_new)),
        "does not decrypt",
        &before,
        &project,
    );
    plan_code(&project, Some(&named_new(&encryption(NEW_PASSPHRASE)))).expect_code(0);
}

/// `config` with its key provider `main` named `new`.
fn named_new(config: &str) -> String {
    config
        .replace("\"pbkdf2\" \"main\"", "\"pbkdf2\" \"new\"")
        .replace("key_provider.pbkdf2.main", "key_provider.pbkdf2.new")
}

#[test]
fn an_unencrypted_state_is_read_only_through_an_unencrypted_method() {
    let project = Project::from_example("quickstart");
    project.init();
    apply(&project, None).expect_success();
    let before = read_bytes(&project, "terraform.tfstate");
    assert_refused(
        &plan_code(&project, Some(&encryption(PASSPHRASE))),
        "not encrypted",
        &before,
        &project,
    );
    let migrating = format!(
        "{}method \"unencrypted\" \"migrate\" {{}}\n",
        encryption(PASSPHRASE).replace(
            "state {\n  method = method.aes_gcm.main\n}",
            "state {\n  method = method.aes_gcm.main\n  fallback {\n    method = method.unencrypted.migrate\n  }\n}",
        )
    );
    plan_code(&project, Some(&migrating)).expect_code(0);
    apply(&project, Some(&migrating)).expect_success();
    let state = pulled_state(&project, &encryption(PASSPHRASE));
    assert_hides(
        "terraform.tfstate",
        &read_bytes(&project, "terraform.tfstate"),
        &hidden_words(&state),
    );
    plan_code(&project, Some(&encryption(PASSPHRASE))).expect_code(0);
}

#[test]
fn the_external_key_provider_runs_a_command_for_the_key() {
    let project = Project::from_example("quickstart");
    let script = project.path("key.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho '{\"magic\":\"OpenTofu-External-Key-Provider\",\"version\":1}'\n\
         INPUT=$(cat)\n\
         if [ \"$INPUT\" = null ]; then\n\
           echo '{\"keys\":{\"encryption_key\":\"AQIDBAUGBwgJCgsMDQ4PEA==\"},\"meta\":{\"external_data\":{\"v\":1}}}'\n\
         else\n\
           echo '{\"keys\":{\"encryption_key\":\"AQIDBAUGBwgJCgsMDQ4PEA==\",\"decryption_key\":\"AQIDBAUGBwgJCgsMDQ4PEA==\"},\"meta\":{\"external_data\":{\"v\":1}}}'\n\
         fi\n",
    )
    .unwrap();
    let status = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
    let config = format!(
        "key_provider \"external\" \"cmd\" {{\n  command = [\"{}\"]\n}}\n\
         method \"aes_gcm\" \"main\" {{\n  keys = key_provider.external.cmd\n}}\n\
         state {{\n  method = method.aes_gcm.main\n}}\n",
        script.display()
    );
    run(&project, Some(&config), &["init", "-input=false"]).expect_success();
    apply(&project, Some(&config)).expect_success();
    let state = pulled_state(&project, &config);
    let stored = read_bytes(&project, "terraform.tfstate");
    assert_hides("terraform.tfstate", &stored, &hidden_words(&state));
    assert!(String::from_utf8_lossy(&stored).contains("key_provider.external.cmd"));
    plan_code(&project, Some(&config)).expect_code(0);
    assert_refused(&plan_code(&project, None), "no key", &stored, &project);
}

#[test]
fn configuration_errors_name_the_line_and_the_block_in_files_is_refused() {
    let project = Project::from_example("quickstart");
    project.init();
    let invalid = "key_provider \"pbkdf2\" \"main\" {\n  passphrase = \"short\"\n}\n";
    let output = plan_code(&project, Some(invalid));
    output.expect_code(1);
    assert!(
        output
            .combined()
            .contains("TF_ENCRYPTION is invalid at line 1")
            && output.combined().contains("too short"),
        "{}",
        output.describe()
    );
    let unknown = format!(
        "{}\nstate {{\n  method = method.aes_gcm.other\n}}\n",
        encryption(PASSPHRASE)
    );
    let output = plan_code(&project, Some(&unknown));
    output.expect_code(1);
    assert!(
        output.combined().contains("at line 15"),
        "{}",
        output.describe()
    );
    assert!(!project.state_path().exists(), "a state file was written");

    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  encryption {\n    state {\n      enforced = true\n    }\n  }\n",
    );
    let refused = run(&project, None, &["validate", "-no-color"]);
    refused.expect_code(1);
    let message = refused.combined();
    assert!(
        message.contains("Blocks of type \"encryption\" are not expected here")
            && message.contains("TF_ENCRYPTION"),
        "{}",
        refused.describe()
    );
}

#[test]
fn the_pg_backend_rows_are_encrypted() {
    let server = start_postgres(Profile::Superuser);
    let conn = format!("{}?sslmode=disable", server.superuser_dsn());
    let project = Project::from_example("quickstart");
    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  backend \"pg\" {}\n",
    );
    let config = encryption(PASSPHRASE);
    let pg = |args: &[&str]| {
        project
            .tenantform_command(args)
            .with_env_var("PG_CONN_STR", &conn)
            .with_env_var("TF_ENCRYPTION", &config)
            .run(TIMEOUT)
    };
    pg(&["init", "-input=false"]).expect_success();
    pg(&["apply", "-auto-approve", "-input=false", "-no-color"]).expect_success();
    let pulled = pg(&["state", "pull"]);
    pulled.expect_success();
    let state = State::parse(&pulled.stdout).unwrap();
    let words = hidden_words(&state);
    let rows = server
        .psql(
            &server.superuser_dsn(),
            "SELECT data FROM terraform_remote_state.states",
        )
        .unwrap();
    assert_hides("the states row", rows.as_bytes(), &words);
    pg(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]).expect_code(0);
    let without_key = project
        .tenantform_command(&["plan", "-input=false", "-no-color"])
        .with_env_var("PG_CONN_STR", &conn)
        .run(TIMEOUT);
    without_key.expect_code(1);
    assert!(
        without_key.combined().contains("no key"),
        "{}",
        without_key.describe()
    );
}

#[test]
fn the_journal_of_a_killed_apply_is_encrypted_and_replays() {
    let project = Project::from_config(&tenants_config(30, true));
    let config = encryption(PASSPHRASE);
    run(&project, Some(&config), &["init", "-input=false"]).expect_success();
    let mut running = project
        .tenantform_command(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=4",
        ])
        .with_env_var("TF_ENCRYPTION", &config)
        .spawn(false);
    wait_for_catalog_objects(&project, &mut running, 12);
    running.kill_hard();
    let killed = running.wait(Duration::from_secs(10));
    assert_eq!(
        killed.code,
        None,
        "the apply should have been killed\n{}",
        killed.describe()
    );

    let journal = String::from_utf8(read_bytes(&project, "terraform.tfstate.journal")).unwrap();
    let records: Vec<&str> = journal.lines().skip(1).collect();
    assert!(!records.is_empty(), "the killed apply recorded nothing");
    for record in &records {
        assert!(
            record.contains("\"encryption_version\":\"v0\""),
            "a record in clear"
        );
        for word in ["Tenant ", "eu-west-1", "t000", "\"slug\""] {
            assert!(!record.contains(word), "a journal record shows {word:?}");
        }
    }
    let without_key = plan_code(&project, None);
    without_key.expect_code(1);
    assert!(
        without_key.combined().contains("no key"),
        "{}",
        without_key.describe()
    );

    apply(&project, Some(&config)).expect_success();
    plan_code(&project, Some(&config)).expect_code(0);
}

#[test]
fn terraform_remote_state_reads_encrypted_states_with_its_own_target() {
    let source = Project::from_example("quickstart");
    let config = encryption(PASSPHRASE);
    run(&source, Some(&config), &["init", "-input=false"]).expect_success();
    apply(&source, Some(&config)).expect_success();
    let reader = Project::from_config(&format!(
        "data \"terraform_remote_state\" \"shared\" {{\n  backend = \"local\"\n  config = {{\n    path = \"{}\"\n  }}\n}}\n\n\
         output \"ids\" {{\n  value = data.terraform_remote_state.shared.outputs.tenant_ids\n}}\n",
        source.state_path().display()
    ));
    run(&reader, None, &["init", "-input=false"]).expect_success();
    let keys = format!(
        "key_provider \"pbkdf2\" \"main\" {{\n  passphrase = \"{PASSPHRASE}\"\n  iterations = 200000\n}}\n\
         method \"aes_gcm\" \"main\" {{\n  keys = key_provider.pbkdf2.main\n}}\n"
    );
    let named = format!(
        "{keys}remote_state_data_sources {{\n  remote_state_data_source \"shared\" {{\n    method = method.aes_gcm.main\n  }}\n}}\n"
    );
    let by_default = format!(
        "{keys}remote_state_data_sources {{\n  default {{\n    method = method.aes_gcm.main\n  }}\n}}\n"
    );
    let other_name = named.replace("\"shared\"", "\"other\"");
    for remote in [&named, &by_default] {
        let read = run(
            &reader,
            Some(remote),
            &["plan", "-input=false", "-no-color"],
        );
        read.expect_success();
        assert!(read.stdout.contains("ids"), "{}", read.describe());
    }
    for refused in [None, Some(other_name.as_str())] {
        let read = run(&reader, refused, &["plan", "-input=false", "-no-color"]);
        read.expect_code(1);
        assert!(read.combined().contains("no key"), "{}", read.describe());
    }
}
