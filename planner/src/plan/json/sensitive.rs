//! Terraform's `SensitiveAsBool`: the `before_sensitive` / `after_sensitive` /
//! `sensitive_values` mirror of a value, `true` at sensitive parts.
//!
//! Terraform's version is type-driven: an unknown list, set or tuple is `[]`, an unknown map
//! or object `{}`, any other unknown or null value `false`. Values here carry no type, so the
//! unknown collections come from the schema (see [`crate::plan::shapes`]).

use serde_json::{Map, Value as Json};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use crate::plan::shapes::{CollectionKind, UnknownCollection};

/// `SensitiveAsBool` of a value whose sensitive parts are `paths` and whose unknown
/// collections are `shapes`.
pub(crate) fn sensitive_as_bool(
    value: &Value,
    paths: &[AttributePath],
    shapes: &[UnknownCollection],
) -> Json {
    let steps: Vec<&[PathStep]> = paths.iter().map(|p| p.0.as_slice()).collect();
    let shapes: Vec<(&[PathStep], CollectionKind)> = shapes
        .iter()
        .map(|s| (s.path.0.as_slice(), s.kind))
        .collect();
    walk(value, &steps, &shapes)
}

fn walk(value: &Value, paths: &[&[PathStep]], shapes: &[(&[PathStep], CollectionKind)]) -> Json {
    if paths.iter().any(|p| p.is_empty()) {
        return Json::Bool(true);
    }
    let below = |step: &dyn Fn(&PathStep) -> bool| {
        let paths: Vec<&[PathStep]> = paths
            .iter()
            .filter(|p| step(&p[0]))
            .map(|p| &p[1..])
            .collect();
        let shapes: Vec<(&[PathStep], CollectionKind)> = shapes
            .iter()
            .filter(|(p, _)| !p.is_empty() && step(&p[0]))
            .map(|(p, kind)| (&p[1..], *kind))
            .collect();
        (paths, shapes)
    };
    match value {
        Value::Unknown => match shapes.iter().find(|(p, _)| p.is_empty()) {
            Some((_, CollectionKind::Sequence)) => Json::Array(Vec::new()),
            Some((_, CollectionKind::Mapping)) => Json::Object(Map::new()),
            None => Json::Bool(false),
        },
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let (paths, shapes) =
                        below(&|s| matches!(s, PathStep::IntKey(k) if *k == i as i64));
                    walk(v, &paths, &shapes)
                })
                .collect(),
        ),
        Value::Map(entries) | Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let (paths, shapes) = below(
                        &|s| matches!(s, PathStep::Attribute(n) | PathStep::StringKey(n) if n == k),
                    );
                    (k.clone(), walk(v, &paths, &shapes))
                })
                .filter(|(_, b)| *b != Json::Bool(false))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}
