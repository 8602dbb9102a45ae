//! Object changes, as Terraform's `objchange` package defines them: the proposed new state
//! handed to `PlanResourceChange`, and the checks that a provider's planned and applied values
//! honour the configuration and the plan.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use super::collect_along_paths;

/// The proposed new state: configuration values win; computed attributes the configuration
/// leaves null keep their prior value; nested blocks are matched with their prior blocks
/// (by index for lists, by key for maps, by their non-computed attributes for sets).
pub(crate) fn proposed_new(schema: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() && prior.is_null() {
        return Value::Null;
    }
    proposed_block(schema, prior, config)
}

fn proposed_block(schema: &Block, prior: &Value, config: &Value) -> Value {
    let Value::Object(config_attrs) = config else {
        // Null or unknown configuration: nothing to merge.
        return config.clone();
    };
    let null = Value::Null;
    let prior_attr = |name: &str| prior.get_attr(name).unwrap_or(&null);
    let mut out = BTreeMap::new();
    for (name, attr) in &schema.attributes {
        let config_value = config_attrs.get(name).unwrap_or(&null);
        let value = if attr.computed && config_value.is_null() {
            prior_attr(name).clone()
        } else {
            config_value.clone()
        };
        out.insert(name.clone(), value);
    }
    for (name, nested) in &schema.block_types {
        let config_value = config_attrs.get(name).unwrap_or(&null);
        let prior_value = prior_attr(name);
        let value = match nested.nesting {
            Nesting::Single | Nesting::Group => match config_value {
                Value::Null => Value::Null,
                _ => proposed_block(&nested.block, prior_value, config_value),
            },
            Nesting::List => match (config_value, prior_value) {
                (Value::List(items), Value::List(priors)) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| match priors.get(i) {
                            Some(p) => proposed_block(&nested.block, p, item),
                            None => item.clone(),
                        })
                        .collect(),
                ),
                _ => config_value.clone(),
            },
            Nesting::Map => match (config_value, prior_value) {
                (Value::Map(items), Value::Map(priors)) => Value::Map(
                    items
                        .iter()
                        .map(|(key, item)| {
                            let value = match priors.get(key) {
                                Some(p) => proposed_block(&nested.block, p, item),
                                None => item.clone(),
                            };
                            (key.clone(), value)
                        })
                        .collect(),
                ),
                _ => config_value.clone(),
            },
            Nesting::Set => match (config_value, prior_value) {
                (Value::Set(items), Value::Set(priors)) => {
                    let mut merged: Vec<Value> = items
                        .iter()
                        .map(|item| {
                            match priors
                                .iter()
                                .find(|p| same_configured(&nested.block, p, item))
                            {
                                Some(p) => proposed_block(&nested.block, p, item),
                                None => item.clone(),
                            }
                        })
                        .collect();
                    Value::normalize_set(&mut merged);
                    Value::Set(merged)
                }
                _ => config_value.clone(),
            },
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

/// True when the prior set element has the same non-computed attributes as the configured one.
fn same_configured(schema: &Block, prior: &Value, config: &Value) -> bool {
    schema
        .attributes
        .iter()
        .filter(|(_, attr)| !attr.computed)
        .all(|(name, _)| {
            prior.get_attr(name).unwrap_or(&Value::Null)
                == config.get_attr(name).unwrap_or(&Value::Null)
        })
}

/// Checks that a planned value honours the configuration: every attribute the configuration
/// sets must be planned as configured, non-computed attributes must be planned as configured
/// (null when unset). Returns one message per problem.
pub(crate) fn plan_problems(schema: &Block, config: &Value, planned: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check_planned_block(schema, config, planned, &mut Vec::new(), &mut problems);
    problems
}

fn check_planned_block(
    schema: &Block,
    config: &Value,
    planned: &Value,
    path: &mut Vec<PathStep>,
    problems: &mut Vec<String>,
) {
    if planned.is_unknown() || config.is_unknown() {
        return;
    }
    if config.is_null() || planned.is_null() {
        if config.is_null() != planned.is_null() {
            problems.push(format!(
                "{}: planned {} for a block configured as {}",
                describe_path(path),
                presence(planned),
                presence(config)
            ));
        }
        return;
    }
    let null = Value::Null;
    for (name, attr) in &schema.attributes {
        let config_value = config.get_attr(name).unwrap_or(&null);
        let planned_value = planned.get_attr(name).unwrap_or(&null);
        path.push(PathStep::Attribute(name.clone()));
        if attr.computed && config_value.is_null() {
            // The provider decides.
        } else if config_value.is_unknown() {
            if !planned_value.is_unknown() {
                problems.push(format!(
                    "{}: planned a known value for an attribute whose configuration is unknown",
                    describe_path(path)
                ));
            }
        } else if planned_value != config_value {
            problems.push(format!(
                "{}: planned value does not match the configuration",
                describe_path(path)
            ));
        }
        path.pop();
    }
    for (name, nested) in &schema.block_types {
        let config_value = config.get_attr(name).unwrap_or(&null);
        let planned_value = planned.get_attr(name).unwrap_or(&null);
        path.push(PathStep::Attribute(name.clone()));
        match (nested.nesting, config_value, planned_value) {
            (Nesting::Single | Nesting::Group, c, p) => {
                check_planned_block(&nested.block, c, p, path, problems);
            }
            (Nesting::List, Value::List(cs), Value::List(ps)) => {
                if cs.len() == ps.len() {
                    for (i, (c, p)) in cs.iter().zip(ps).enumerate() {
                        path.push(PathStep::IntKey(i as i64));
                        check_planned_block(&nested.block, c, p, path, problems);
                        path.pop();
                    }
                } else {
                    problems.push(format!(
                        "{}: planned {} blocks for {} configured",
                        describe_path(path),
                        ps.len(),
                        cs.len()
                    ));
                }
            }
            (Nesting::Map, Value::Map(cs), Value::Map(ps)) => {
                for (key, c) in cs {
                    path.push(PathStep::StringKey(key.clone()));
                    match ps.get(key) {
                        Some(p) => check_planned_block(&nested.block, c, p, path, problems),
                        None => problems.push(format!(
                            "{}: configured block is missing from the plan",
                            describe_path(path)
                        )),
                    }
                    path.pop();
                }
            }
            (Nesting::Set, Value::Set(cs), Value::Set(ps))
                if config_value.is_wholly_known()
                    && planned_value.is_wholly_known()
                    && cs.len() != ps.len() =>
            {
                problems.push(format!(
                    "{}: planned {} blocks for {} configured",
                    describe_path(path),
                    ps.len(),
                    cs.len()
                ));
            }
            _ => {}
        }
        path.pop();
    }
}

/// Checks that `actual` keeps every known part of `planned`: unknown planned values may
/// become anything. Returns one message per difference.
pub(crate) fn compatibility_problems(planned: &Value, actual: &Value) -> Vec<String> {
    collect_along_paths(|path, problems| check_compatible(planned, actual, path, problems))
}

fn check_compatible(
    planned: &Value,
    actual: &Value,
    path: &mut Vec<PathStep>,
    problems: &mut Vec<String>,
) {
    match (planned, actual) {
        (Value::Unknown, _) => {}
        (Value::Object(ps), Value::Object(actuals)) | (Value::Map(ps), Value::Map(actuals)) => {
            let null = Value::Null;
            for (key, p) in ps {
                let step = match planned {
                    Value::Object(_) => PathStep::Attribute(key.clone()),
                    _ => PathStep::StringKey(key.clone()),
                };
                path.push(step);
                check_compatible(p, actuals.get(key).unwrap_or(&null), path, problems);
                path.pop();
            }
            if let Value::Map(_) = planned {
                for key in actuals.keys().filter(|k| !ps.contains_key(*k)) {
                    path.push(PathStep::StringKey(key.clone()));
                    problems.push(format!(
                        "{}: was absent, but now present",
                        describe_path(path)
                    ));
                    path.pop();
                }
            }
        }
        (Value::List(ps), Value::List(actuals)) | (Value::Tuple(ps), Value::Tuple(actuals)) => {
            if ps.len() != actuals.len() {
                problems.push(format!(
                    "{}: length changed from {} to {}",
                    describe_path(path),
                    ps.len(),
                    actuals.len()
                ));
                return;
            }
            for (i, (p, a)) in ps.iter().zip(actuals).enumerate() {
                path.push(PathStep::IntKey(i as i64));
                check_compatible(p, a, path, problems);
                path.pop();
            }
        }
        (Value::Set(ps), Value::Set(actuals)) => {
            // Elements with unknowns may merge or split: only a wholly known set must match.
            if planned.is_wholly_known() && ps != actuals {
                problems.push(format!("{}: set elements changed", describe_path(path)));
            }
        }
        (p, a) if p == a => {}
        (p, a) if kind(p) == kind(a) => problems.push(format!(
            "{}: the value differs from the planned one",
            describe_path(path)
        )),
        (p, a) => problems.push(format!(
            "{}: was {}, but now {}",
            describe_path(path),
            kind(p),
            kind(a)
        )),
    }
}

/// The attribute paths whose values differ between `prior` and `planned`, among `paths`
/// (an unknown planned value counts as a difference).
pub(crate) fn changed_paths<'a>(
    paths: &'a [AttributePath],
    prior: &Value,
    planned: &Value,
) -> Vec<&'a AttributePath> {
    paths
        .iter()
        .filter(|path| {
            let before = path.lookup(prior).unwrap_or(&Value::Null);
            let after = path.lookup(planned).unwrap_or(&Value::Null);
            !after.is_wholly_known() || before != after
        })
        .collect()
}

/// The paths of every attribute the schema marks sensitive that is set in `value`.
pub(crate) fn sensitive_paths(schema: &Block, value: &Value) -> Vec<AttributePath> {
    collect_along_paths(|path, out| collect_sensitive(schema, value, path, out))
}

fn collect_sensitive(
    schema: &Block,
    value: &Value,
    path: &mut Vec<PathStep>,
    out: &mut Vec<AttributePath>,
) {
    for (name, attr) in &schema.attributes {
        if attr.sensitive {
            let mut full = path.clone();
            full.push(PathStep::Attribute(name.clone()));
            out.push(AttributePath(full));
        }
    }
    for (name, nested) in &schema.block_types {
        path.push(PathStep::Attribute(name.clone()));
        match value.get_attr(name) {
            Some(Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(PathStep::IntKey(i as i64));
                    collect_sensitive(&nested.block, item, path, out);
                    path.pop();
                }
            }
            Some(Value::Map(items)) => {
                for (key, item) in items {
                    path.push(PathStep::StringKey(key.clone()));
                    collect_sensitive(&nested.block, item, path, out);
                    path.pop();
                }
            }
            Some(item @ Value::Object(_)) => collect_sensitive(&nested.block, item, path, out),
            _ => {}
        }
        path.pop();
    }
}

fn describe_path(path: &[PathStep]) -> String {
    if path.is_empty() {
        "the object".into()
    } else {
        format!(".{}", AttributePath(path.to_vec()))
    }
}

fn presence(value: &Value) -> &'static str {
    if value.is_null() {
        "no block"
    } else {
        "a block"
    }
}

/// The kind of a value for messages (never the value itself, which may be a secret).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) | Value::Tuple(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) | Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
