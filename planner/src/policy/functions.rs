//! The check that every function a policy calls exists: a builtin of the Rego engine, or a
//! function some policy defines. OPA refuses a policy calling an unknown function when it
//! compiles it; the engine only notices when the call is evaluated, so a call behind a
//! condition that does not hold would pass silently. Walking every expression first turns
//! each such call into an error naming the function, wherever it stands.

use std::collections::BTreeSet;

use regorus::unstable::{BUILTINS, Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use regorus::utils::get_path_string;

use super::PolicyError;

/// A function call found in a policy: the function as written and where.
struct Call {
    name: String,
    file: String,
    line: u32,
}

/// Refuses the policies if one calls a function that is neither a builtin the engine
/// provides nor a function defined by one of `modules`.
pub(super) fn check_calls(modules: &[Ref<Module>]) -> Result<(), PolicyError> {
    let defined = defined_functions(modules);
    let mut unknown = Vec::new();
    for module in modules {
        let package = get_path_string(&module.package.refr, Some("data")).unwrap_or_default();
        let imports = imports_of(module);
        let mut calls = Vec::new();
        for rule in &module.policy {
            rule_calls(rule, &mut calls);
        }
        for call in calls {
            if !resolves(&call.name, &package, &imports, &defined) {
                unknown.push(format!("{}:{}: {}", call.file, call.line, call.name));
            }
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    Err(PolicyError::UnknownFunction(format!(
        "The policies call functions that neither the Rego engine provides as builtins nor any \
         policy defines:\n  {}\nSee docs/POLICY.md for the builtins tenantform supports.",
        unknown.join("\n  ")
    )))
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

/// True when `name`, called in `package`, names a builtin or a defined function.
fn resolves(
    name: &str,
    package: &str,
    imports: &[(String, String)],
    defined: &BTreeSet<String>,
) -> bool {
    if name == "print" || BUILTINS.contains_key(name) || defined.contains(name) {
        return true;
    }
    if defined.contains(&format!("{package}.{name}")) {
        return true;
    }
    let (head, tail) = name.split_once('.').unwrap_or((name, ""));
    imports.iter().any(|(alias, path)| {
        let full = if tail.is_empty() {
            path.clone()
        } else {
            format!("{path}.{tail}")
        };
        alias == head && defined.contains(&full)
    })
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
