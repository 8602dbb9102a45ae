//! The check that every function a policy calls exists: a builtin of the Rego engine, or a
//! function some policy defines. OPA refuses a policy calling an unknown function when it
//! compiles it; the engine only notices when the call is evaluated, so a call behind a
//! condition that does not hold would pass silently. Walking every expression first turns
//! each such call into an error naming the function, wherever it stands.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{BUILTINS, Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use regorus::utils::get_path_string;

use super::PolicyError;

/// A function call found in a policy: the function as written and where.
struct Call {
    name: String,
    file: String,
    line: u32,
}

/// What a called name resolves to.
enum Resolved {
    /// A builtin of the engine, or `print`.
    Builtin,
    /// A function a policy defines, by its full path.
    Defined(String),
}

/// Refuses the policies if one calls a function that is neither a builtin the engine
/// provides nor a function defined by one of `modules`, or if functions call themselves,
/// directly or through others (OPA refuses recursion when it compiles; the engine would
/// overflow its stack).
pub(super) fn check_calls(modules: &[Ref<Module>]) -> Result<(), PolicyError> {
    let defined = defined_functions(modules);
    let mut unknown = Vec::new();
    let mut callees: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in modules {
        let package = get_path_string(&module.package.refr, Some("data")).unwrap_or_default();
        let imports = imports_of(module);
        for rule in &module.policy {
            let mut calls = Vec::new();
            rule_calls(rule, &mut calls);
            let caller = function_path(rule, &package);
            for call in calls {
                match resolve(&call.name, &package, &imports, &defined) {
                    None => unknown.push(format!("{}:{}: {}", call.file, call.line, call.name)),
                    Some(Resolved::Builtin) => {}
                    Some(Resolved::Defined(callee)) => {
                        if let Some(caller) = &caller {
                            callees.entry(caller.clone()).or_default().insert(callee);
                        }
                    }
                }
            }
        }
    }
    if !unknown.is_empty() {
        return Err(PolicyError::UnknownFunction(format!(
            "The policies call functions that neither the Rego engine provides as builtins \
             nor any policy defines:\n  {}\nSee docs/POLICY.md for the builtins tenantform \
             supports.",
            unknown.join("\n  ")
        )));
    }
    match find_cycle(&callees) {
        Some(cycle) => Err(PolicyError::Recursion(format!(
            "function {} is recursive: {}",
            cycle[0],
            cycle.join(" -> ")
        ))),
        None => Ok(()),
    }
}

/// The full path of the function `rule` defines, if it defines one.
fn function_path(rule: &Rule, package: &str) -> Option<String> {
    let Rule::Spec {
        head: RuleHead::Func { refr, .. },
        ..
    } = rule
    else {
        return None;
    };
    Some(format!("{package}.{}", get_path_string(refr, None).ok()?))
}

/// A cycle among the calls, as the path from a function back to itself.
fn find_cycle(callees: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut finished = BTreeSet::new();
    for start in callees.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = visit(start, callees, &mut path, &mut finished) {
            return Some(cycle);
        }
    }
    None
}

/// Depth-first search from `node`; `path` holds the functions being visited.
fn visit(
    node: &str,
    callees: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    finished: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|p| p == node) {
        let mut cycle = path[at..].to_vec();
        cycle.push(node.to_string());
        return Some(cycle);
    }
    if finished.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for callee in callees.get(node).into_iter().flatten() {
        if let Some(cycle) = visit(callee, callees, path, finished) {
            return Some(cycle);
        }
    }
    path.pop();
    finished.insert(node.to_string());
    None
}

/// The full paths (`data.lib.is_prod`) of the functions the policies define.
fn defined_functions(modules: &[Ref<Module>]) -> BTreeSet<String> {
    let mut defined = BTreeSet::new();
    for module in modules {
        let Ok(package) = get_path_string(&module.package.refr, Some("data")) else {
            continue;
        };
        for rule in &module.policy {
            let refr = match rule.as_ref() {
                Rule::Spec {
                    head: RuleHead::Func { refr, .. },
                    ..
                } => refr,
                Rule::Default { refr, args, .. } if !args.is_empty() => refr,
                _ => continue,
            };
            if let Ok(name) = get_path_string(refr, None) {
                defined.insert(format!("{package}.{name}"));
            }
        }
    }
    defined
}

/// Each import's name in the module (its alias or last component) and full path.
fn imports_of(module: &Module) -> Vec<(String, String)> {
    module
        .imports
        .iter()
        .filter_map(|import| {
            let path = get_path_string(&import.refr, None).ok()?;
            let name = match &import.r#as {
                Some(alias) => alias.text().to_string(),
                None => path.rsplit('.').next()?.to_string(),
            };
            Some((name, path))
        })
        .collect()
}

/// What `name`, called in `package`, names: a function a policy defines (looked up first,
/// as the engine does: by full path, in the package, through an import), or a builtin.
fn resolve(
    name: &str,
    package: &str,
    imports: &[(String, String)],
    defined: &BTreeSet<String>,
) -> Option<Resolved> {
    let (head, tail) = name.split_once('.').unwrap_or((name, ""));
    let through_imports = imports
        .iter()
        .filter(|(alias, _)| alias == head)
        .map(|(_, path)| {
            if tail.is_empty() {
                path.clone()
            } else {
                format!("{path}.{tail}")
            }
        });
    let candidates = [name.to_string(), format!("{package}.{name}")];
    if let Some(found) = candidates
        .into_iter()
        .chain(through_imports)
        .find(|candidate| defined.contains(candidate))
    {
        return Some(Resolved::Defined(found));
    }
    (name == "print" || BUILTINS.contains_key(name)).then_some(Resolved::Builtin)
}

fn rule_calls(rule: &Rule, calls: &mut Vec<Call>) {
    match rule {
        Rule::Spec { head, bodies, .. } => {
            match head {
                RuleHead::Compr { refr, assign, .. } => {
                    expr_calls(refr, calls);
                    if let Some(assign) = assign {
                        expr_calls(&assign.value, calls);
                    }
                }
                RuleHead::Set { refr, key, .. } => {
                    expr_calls(refr, calls);
                    key.iter().for_each(|k| expr_calls(k, calls));
                }
                RuleHead::Func { assign, .. } => {
                    if let Some(assign) = assign {
                        expr_calls(&assign.value, calls);
                    }
                }
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    expr_calls(&assign.value, calls);
                }
                query_calls(&body.query, calls);
            }
        }
        Rule::Default { value, .. } => expr_calls(value, calls),
    }
}

fn query_calls(query: &Query, calls: &mut Vec<Call>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                key.iter().for_each(|k| expr_calls(k, calls));
                expr_calls(value, calls);
                expr_calls(collection, calls);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_calls(expr, calls),
            Literal::Every { domain, query, .. } => {
                expr_calls(domain, calls);
                query_calls(query, calls);
            }
        }
        for with in &stmt.with_mods {
            expr_calls(&with.r#as, calls);
        }
    }
}

fn expr_calls(expr: &Expr, calls: &mut Vec<Call>) {
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Var { .. } => {}
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            items.iter().for_each(|item| expr_calls(item, calls));
        }
        Expr::Object { fields, .. } => {
            for (_, key, value) in fields {
                expr_calls(key, calls);
                expr_calls(value, calls);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            expr_calls(term, calls);
            query_calls(query, calls);
        }
        Expr::ObjectCompr {
            key, value, query, ..
        } => {
            expr_calls(key, calls);
            expr_calls(value, calls);
            query_calls(query, calls);
        }
        Expr::Call {
            span, fcn, params, ..
        } => {
            if let Ok(name) = get_path_string(fcn, None) {
                calls.push(Call {
                    name,
                    file: span.source.file().clone(),
                    line: span.line,
                });
            }
            params.iter().for_each(|p| expr_calls(p, calls));
        }
        Expr::UnaryExpr { expr, .. } => expr_calls(expr, calls),
        Expr::RefDot { refr, .. } => expr_calls(refr, calls),
        Expr::RefBrack { refr, index, .. } => {
            expr_calls(refr, calls);
            expr_calls(index, calls);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            expr_calls(lhs, calls);
            expr_calls(rhs, calls);
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            key.iter().for_each(|k| expr_calls(k, calls));
            expr_calls(value, calls);
            expr_calls(collection, calls);
        }
    }
}
