//! Evaluation of what only the rewriting parser reads: deep nesting, long operator chains
//! and repeated object keys.

use tenantform_proto::value::Value;

use super::{eval, eval_error, n, obj};

/// Runs `test` on a thread with the stack the program gives its evaluating threads.
fn on_program_stack<T: Send>(test: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, test)
            .expect("thread")
            .join()
            .expect("test")
    })
}

#[test]
fn two_thousand_nested_levels_evaluate() {
    on_program_stack(|| {
        let depth = 2_000;
        let src = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let mut value = eval(&src);
        let mut levels = 0;
        while let Value::Tuple(mut items) = value {
            value = items.remove(0);
            levels += 1;
        }
        assert_eq!((levels, value), (depth, n(1)));
        let parens = format!("{}2{} * 3", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(eval(&parens), n(6));
    });
}

#[test]
fn two_thousand_nested_calls_evaluate() {
    on_program_stack(|| {
        let depth = 2_000;
        let src = format!("{}1{}", "max(0, ".repeat(depth), ")".repeat(depth));
        assert_eq!(eval(&src), n(1));
    });
}

#[test]
fn a_twenty_thousand_term_sum_evaluates() {
    on_program_stack(|| {
        let src = vec!["1"; 20_000].join(" + ");
        assert_eq!(eval(&src), n(20_000));
        let mixed: Vec<String> = (0..5_000).map(|i| format!("{i} * 2 - {i}")).collect();
        assert_eq!(eval(&mixed.join(" + ")), n((0..5_000).sum()));
    });
}

#[test]
fn repeated_object_keys_keep_the_last_value() {
    assert_eq!(
        eval("{\n a = 1\n b = 3\n a = 2\n}"),
        obj(&[("a", n(2)), ("b", n(3))])
    );
    assert_eq!(
        eval("{ a = 1, a = \"x\" }"),
        obj(&[("a", Value::String("x".into()))])
    );
}

#[test]
fn a_shadowed_value_is_still_evaluated() {
    let diag = eval_error("{\n a = var.nope\n a = 2\n}");
    assert_eq!(diag.summary, "Reference to undeclared input variable");
}
