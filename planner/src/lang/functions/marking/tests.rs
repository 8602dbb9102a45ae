use tenantform_proto::value::Value;

use super::*;
use crate::test_support::{n, s};

fn first_marked() -> Sensitivity {
    Sensitivity::elements(vec![Sensitivity::Whole, Sensitivity::None])
}

#[test]
fn most_functions_mark_their_whole_result() {
    let list = Value::Tuple(vec![s("a"), s("b")]);
    let result = s("a,b");
    assert_eq!(
        result_marks(
            "join",
            &[s(","), list],
            &[Sensitivity::None, first_marked()],
            &result
        ),
        Sensitivity::Whole
    );
}

#[test]
fn sensitive_nonsensitive_and_length() {
    let list = Value::Tuple(vec![s("a"), s("b")]);
    assert_eq!(
        result_marks("sensitive", &[s("a")], &[Sensitivity::None], &s("a")),
        Sensitivity::Whole
    );
    assert_eq!(
        result_marks("nonsensitive", &[s("a")], &[Sensitivity::Whole], &s("a")),
        Sensitivity::None
    );
    assert_eq!(
        result_marks(
            "nonsensitive",
            std::slice::from_ref(&list),
            &[first_marked()],
            &list
        ),
        first_marked()
    );
    assert_eq!(
        result_marks(
            "length",
            std::slice::from_ref(&list),
            &[first_marked()],
            &n(2)
        ),
        Sensitivity::None
    );
    assert_eq!(
        result_marks("length", &[list], &[Sensitivity::Whole], &n(2)),
        Sensitivity::Whole
    );
}

#[test]
fn rearranging_functions_keep_element_marks() {
    let list = Value::Tuple(vec![s("a"), s("b")]);
    let reversed = Value::Tuple(vec![s("b"), s("a")]);
    assert_eq!(
        result_marks(
            "reverse",
            std::slice::from_ref(&list),
            &[first_marked()],
            &reversed
        ),
        Sensitivity::elements(vec![Sensitivity::None, Sensitivity::Whole])
    );
    // `element` wraps around: index 3 is "b" (unmarked), index 2 is "a" (marked).
    for (index, element, marks) in [(3, "b", Sensitivity::None), (2, "a", Sensitivity::Whole)] {
        let args = [list.clone(), n(index)];
        let arg_marks = [first_marked(), Sensitivity::None];
        assert_eq!(
            result_marks("element", &args, &arg_marks, &s(element)),
            marks,
            "element({index})"
        );
    }
    let joined = Value::Tuple(vec![s("a"), s("b"), s("c")]);
    assert_eq!(
        result_marks(
            "concat",
            &[list.clone(), Value::Tuple(vec![s("c")])],
            &[first_marked(), Sensitivity::None],
            &joined
        ),
        Sensitivity::elements(vec![
            Sensitivity::Whole,
            Sensitivity::None,
            Sensitivity::None
        ])
    );
    let zipped = Value::Object(
        [("x".to_string(), s("a")), ("y".to_string(), s("b"))]
            .into_iter()
            .collect(),
    );
    let marks = result_marks(
        "zipmap",
        &[Value::Tuple(vec![s("x"), s("y")]), list],
        &[Sensitivity::None, first_marked()],
        &zipped,
    );
    assert_eq!(marks.attribute("x"), Sensitivity::Whole);
    assert_eq!(marks.attribute("y"), Sensitivity::None);
}

#[test]
fn toset_marks_the_whole_set() {
    let list = Value::Tuple(vec![s("a"), s("b")]);
    let set = Value::Set(vec![s("a"), s("b")]);
    assert_eq!(
        result_marks("toset", &[list], &[first_marked()], &set),
        Sensitivity::Whole
    );
}
