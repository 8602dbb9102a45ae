use super::*;

#[test]
fn the_report_has_the_banner_the_message_the_place_and_the_stack() {
    let report = crash_report(
        "tenantform",
        "index out of bounds",
        "thread 'apply' panicked at planner/src/engine/apply.rs:10:5",
        "   0: tenantform::engine::apply\n",
    );
    let banner = "!!!!!!!!!!!!!!!!!!!!!!!!!!! TENANTFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!";
    assert_eq!(report.matches(banner).count(), 2, "{report}");
    assert!(report.starts_with(&format!("\n{banner}\n\n")), "{report}");
    assert!(
        report
            .contains("tenantform crashed! This is always indicative of a bug within tenantform."),
        "{report}"
    );
    let after_banner = report.rsplit(banner).next().unwrap_or_default();
    assert_eq!(
        after_banner,
        "\n\npanic: index out of bounds\n\
         thread 'apply' panicked at planner/src/engine/apply.rs:10:5\n\n   \
         0: tenantform::engine::apply\n\n"
    );
}

#[test]
fn the_banner_names_the_provider_in_capitals() {
    let report = crash_report("terraform-provider-tenant", "boom", "here", "");
    assert!(
        report.contains(" TERRAFORM-PROVIDER-TENANT CRASH "),
        "{report}"
    );
    assert!(
        report.contains("your terraform-provider-tenant version"),
        "{report}"
    );
}

#[test]
fn the_crash_status_is_terraforms() {
    assert_eq!(CRASH_EXIT_CODE, 11);
}

#[test]
fn a_payload_of_either_string_kind_is_the_message() {
    let hook_result = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = hook_result.clone();
    let previous = std::panic::take_hook();
    let this_test = std::thread::current().id();
    // The hook is process-wide: keep only this thread's panics.
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != this_test {
            return;
        }
        if let Ok(mut messages) = seen.lock() {
            messages.push((panic_message(info), panic_place(info)));
        }
    }));
    let literal = std::panic::catch_unwind(|| panic!("a literal"));
    let formatted = std::panic::catch_unwind(|| panic!("formatted {}", 42));
    std::panic::set_hook(previous);
    assert!(literal.is_err() && formatted.is_err());
    let messages = hook_result.lock().unwrap().clone();
    assert_eq!(messages[0].0, "a literal");
    assert_eq!(messages[1].0, "formatted 42");
    assert!(
        messages[0]
            .1
            .contains("panicked at proto/src/crash/tests.rs:"),
        "{:?}",
        messages[0]
    );
}
