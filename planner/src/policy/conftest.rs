//! The policy gate's evaluation, with conftest's conventions: in each namespace (package,
//! `main` by default) the rules named `deny`, `violation` (failures) and `warn` (warnings),
//! alone or with `_suffix`es, are queried against the input; each result is a message, a
//! string or an object with a string `msg`. An `exception` rule whose value holds a
//! collection naming a rule's suffix (`exception contains ["foo"] if ...` excepts
//! `deny_foo`, `""` excepts the plain rules) turns all that rule's results into exceptions.

use regorus::Value;
use regorus::unstable::{Module, Ref, Rule, RuleHead};
use regorus::utils::get_path_string;

use super::{Policies, PolicyError};

/// The namespace conftest queries when none is given.
pub(crate) const DEFAULT_NAMESPACE: &str = "main";

/// Whether a rule's results fail the check or only warn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    Failure,
    Warning,
}

/// One message a rule produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The rule's full path, e.g. `data.main.deny_deletes`.
    pub rule: String,
    /// The policy files that define the rule.
    pub files: Vec<String>,
    pub message: String,
}

/// A rule whose results an `exception` rule excepted, with the query that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Excepted {
    pub rule: String,
    pub query: String,
}

/// The outcome of evaluating the policies against one input.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    pub failures: Vec<Finding>,
    pub warnings: Vec<Finding>,
    pub exceptions: Vec<Excepted>,
    /// What the policies' `print` calls wrote, `FILE:LINE: message` each.
    pub prints: Vec<String>,
}

/// A conftest rule found in a namespace: its name, severity and defining files.
struct CheckRule {
    name: String,
    severity: Severity,
    files: Vec<String>,
}

/// Evaluates the conftest rules of every namespace in `namespaces` against `input_json`.
/// A namespace no policy declares is an error, so a misspelt one never passes silently.
pub(crate) fn evaluate(
    policies: &mut Policies,
    input_json: &str,
    namespaces: &[String],
) -> Result<Verdict, PolicyError> {
    policies.set_input_json(input_json)?;
    let modules = policies.modules();
    let mut verdict = Verdict::default();
    for namespace in namespaces {
        let package = format!("data.{namespace}");
        let in_namespace: Vec<&Ref<Module>> = modules
            .iter()
            .filter(|m| get_path_string(&m.package.refr, Some("data")).is_ok_and(|p| p == package))
            .collect();
        if in_namespace.is_empty() {
            return Err(PolicyError::Evaluation(format!(
                "no policy declares the namespace {namespace:?} (package {namespace})"
            )));
        }
        let exceptions = if rule_names(&in_namespace).iter().any(|n| n == "exception") {
            policies.eval_rule(&format!("{package}.exception"))?
        } else {
            Value::Undefined
        };
        for rule in check_rules(&in_namespace) {
            evaluate_rule(policies, &package, &rule, &exceptions, &mut verdict)?;
        }
    }
    verdict.prints = policies.take_prints();
    Ok(verdict)
}

/// Queries one rule, unless the namespace's `exceptions` name it.
fn evaluate_rule(
    policies: &mut Policies,
    package: &str,
    rule: &CheckRule,
    exceptions: &Value,
    verdict: &mut Verdict,
) -> Result<(), PolicyError> {
    let path = format!("{package}.{}", rule.name);
    let suffix = exception_suffix(&rule.name);
    if excepts(exceptions, suffix) {
        verdict.exceptions.push(Excepted {
            rule: path,
            query: format!("{package}.exception[_][_] == {suffix:?}"),
        });
        return Ok(());
    }
    let value = policies.eval_rule(&path)?;
    for message in messages(&path, &value)? {
        let finding = Finding {
            rule: path.clone(),
            files: rule.files.clone(),
            message,
        };
        match rule.severity {
            Severity::Failure => verdict.failures.push(finding),
            Severity::Warning => verdict.warnings.push(finding),
        }
    }
    Ok(())
}

/// The conftest rules of a namespace's modules, in order of first appearance.
fn check_rules(modules: &[&Ref<Module>]) -> Vec<CheckRule> {
    let mut rules: Vec<CheckRule> = Vec::new();
    for module in modules {
        for rule in &module.policy {
            let Some(name) = head_name(rule) else {
                continue;
            };
            let Some(severity) = severity_of(&name) else {
                continue;
            };
            let file = rule.span().source.file().clone();
            match rules.iter_mut().find(|r| r.name == name) {
                Some(known) if !known.files.contains(&file) => known.files.push(file),
                Some(_) => {}
                None => rules.push(CheckRule {
                    name,
                    severity,
                    files: vec![file],
                }),
            }
        }
    }
    rules
}

/// The names of every rule the modules define.
fn rule_names(modules: &[&Ref<Module>]) -> Vec<String> {
    modules
        .iter()
        .flat_map(|m| m.policy.iter().filter_map(|r| head_name(r)))
        .collect()
}

/// The first component of a rule's head (`deny` for `deny contains msg if ...`).
fn head_name(rule: &Rule) -> Option<String> {
    let refr = match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } => refr,
            RuleHead::Func { .. } => return None,
        },
        Rule::Default { refr, args, .. } if args.is_empty() => refr,
        Rule::Default { .. } => return None,
    };
    let path = get_path_string(refr, None).ok()?;
    path.split('.').next().map(str::to_string)
}

/// conftest's rule name patterns: `^(deny|violation)(_[a-zA-Z0-9]+)*$` fails,
/// `^warn(_[a-zA-Z0-9]+)*$` warns.
pub(crate) fn severity_of(name: &str) -> Option<Severity> {
    let (severity, rest) = if let Some(rest) = name.strip_prefix("deny") {
        (Severity::Failure, rest)
    } else if let Some(rest) = name.strip_prefix("violation") {
        (Severity::Failure, rest)
    } else if let Some(rest) = name.strip_prefix("warn") {
        (Severity::Warning, rest)
    } else {
        return None;
    };
    if rest.is_empty() {
        return Some(severity);
    }
    let parts = rest.strip_prefix('_')?.split('_');
    let mut parts = parts.peekable();
    parts.peek()?;
    parts
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(severity)
}

/// The name an exception uses for a rule: its name without the severity prefix, trimmed
/// in conftest's order (`violation_`, then `deny_`, then `warn_`), empty for the plain rules.
pub(crate) fn exception_suffix(rule: &str) -> &str {
    if matches!(rule, "deny" | "violation" | "warn") {
        return "";
    }
    let rule = rule.strip_prefix("violation_").unwrap_or(rule);
    let rule = rule.strip_prefix("deny_").unwrap_or(rule);
    rule.strip_prefix("warn_").unwrap_or(rule)
}

/// True when `exception[_][_] == suffix` holds for the `exception` rule's value.
fn excepts(exceptions: &Value, suffix: &str) -> bool {
    let wanted = Value::from(suffix);
    members(exceptions)
        .iter()
        .any(|inner| members(inner).contains(&wanted))
}

/// The values `[_]` iterates over: a set's members, an array's items, an object's values.
fn members(value: &Value) -> Vec<Value> {
    match value {
        Value::Set(set) => set.iter().cloned().collect(),
        Value::Array(items) => items.iter().cloned().collect(),
        Value::Object(fields) => fields.values().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The messages a rule's value holds: each result is a string or an object with a
/// string `msg`. A rule that is not a collection (a boolean `deny if ...`, which conftest
/// also refuses) or a result of another shape is an error, never a silent pass.
fn messages(path: &str, value: &Value) -> Result<Vec<String>, PolicyError> {
    let results = match value {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(_) | Value::Array(_) => members(value),
        other => {
            return Err(PolicyError::Result(format!(
                "{path} evaluated to {}, not a set of messages: write the rule as \
                 `{} contains msg if {{ ... }}`",
                describe(other),
                path.rsplit('.').next().unwrap_or(path)
            )));
        }
    };
    results
        .iter()
        .map(|result| match result {
            Value::String(text) => Ok(text.to_string()),
            Value::Object(fields) => match fields.get(&Value::from("msg")) {
                Some(Value::String(text)) => Ok(text.to_string()),
                _ => Err(PolicyError::Result(format!(
                    "a result of {path} is {}, without a string \"msg\" field",
                    describe(result)
                ))),
            },
            other => Err(PolicyError::Result(format!(
                "a result of {path} is {}, neither a string nor an object with \"msg\"",
                describe(other)
            ))),
        })
        .collect()
}

/// What kind of value `value` is, for error messages: never the value itself, which may
/// come from the plan's sensitive values.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(_) => "a boolean".to_string(),
        Value::Number(_) => "a number".to_string(),
        Value::String(_) => "a string".to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Set(_) => "a set".to_string(),
        Value::Object(fields) => {
            let keys: Vec<String> = fields
                .keys()
                .map(|k| {
                    k.as_string()
                        .map_or_else(|_| "…".to_string(), |s| format!("{s:?}"))
                })
                .collect();
            format!("an object with the keys {}", keys.join(", "))
        }
        Value::Undefined => "undefined".to_string(),
    }
}
