//! Launches the `unimplemented_provider` example as a real plugin process: handshake, mTLS,
//! a provider call, graceful shutdown, and the refusal to run without the magic cookie.

use std::path::PathBuf;
use std::time::Duration;

use tenantform_proto::handshake::{self, LaunchOptions, NOT_A_PLUGIN_MESSAGE};
use tenantform_proto::tfplugin6::get_provider_schema;

/// The example binary Cargo builds beside the tests (`target/<profile>/examples/`).
fn example_binary() -> Option<PathBuf> {
    let test_binary = std::env::current_exe().ok()?;
    let profile_dir = test_binary.parent()?.parent()?;
    let path = profile_dir.join("examples").join(format!(
        "unimplemented_provider{}",
        std::env::consts::EXE_SUFFIX
    ));
    path.exists().then_some(path)
}

#[tokio::test]
async fn launch_call_and_shut_down_a_real_plugin() {
    let Some(binary) = example_binary() else {
        eprintln!("example binary not built; run `cargo test -p tenantform-proto`");
        return;
    };
    let options = LaunchOptions {
        handshake_timeout: Duration::from_secs(30),
        ..LaunchOptions::default()
    };
    let mut plugin = handshake::launch(&binary, options)
        .await
        .expect("plugin starts");
    assert!(plugin.pid().is_some());
    assert!(plugin.try_exit_status().is_none());

    let status = plugin
        .provider_client()
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect_err("the example implements nothing");
    assert_eq!(status.code(), tonic::Code::Unimplemented);

    let exit = plugin.shutdown().await.expect("shuts down");
    assert!(exit.success(), "plugin exited with {exit}");
}

#[test]
fn refuses_to_run_without_the_magic_cookie() {
    let Some(binary) = example_binary() else {
        return;
    };
    let output = std::process::Command::new(binary)
        .env_remove(handshake::MAGIC_COOKIE_KEY)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        NOT_A_PLUGIN_MESSAGE
    );
}
