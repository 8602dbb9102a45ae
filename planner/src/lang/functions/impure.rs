//! Which function calls make a value something no digest of the evaluated configuration can
//! vouch for: Terraform's impure functions (`bcrypt`, `timestamp`, `uuid`: another result on
//! every call), `plantimestamp` (another result on every plan) and every provider-defined
//! function (`provider::NAME::FUNCTION`, whose purity the planner cannot know).

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::structure::Body;
use hcl_edit::visit::{Visit, visit_func_call};

/// The built-in functions whose result can change with the same arguments.
pub(crate) const IMPURE_FUNCTIONS: &[&str] = &["bcrypt", "plantimestamp", "timestamp", "uuid"];

/// The functions that read files: their results depend on more than the configuration's
/// sources (a file beside them may change).
pub(crate) const FILE_FUNCTIONS: &[&str] = &[
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "templatefile",
];

/// The name of the first impure function `expr` calls, if any.
pub(crate) fn impure_call_in_expr(expr: &Expression) -> Option<String> {
    let mut finder = ImpureFinder::new(&[]);
    finder.visit_expr(expr);
    finder.found
}

/// The name of the first impure function `body` calls, if any.
pub(crate) fn impure_call_in_body(body: &Body) -> Option<String> {
    let mut finder = ImpureFinder::new(&[]);
    finder.visit_body(body);
    finder.found
}

/// The name of the first impure or file-reading function `body` calls, if any.
pub(crate) fn impure_or_file_call_in_body(body: &Body) -> Option<String> {
    let mut finder = ImpureFinder::new(FILE_FUNCTIONS);
    finder.visit_body(body);
    finder.found
}

/// The name of the first impure or file-reading function `expr` calls, if any.
pub(crate) fn impure_or_file_call_in_expr(expr: &Expression) -> Option<String> {
    let mut finder = ImpureFinder::new(FILE_FUNCTIONS);
    finder.visit_expr(expr);
    finder.found
}

struct ImpureFinder {
    found: Option<String>,
    /// Functions found besides the impure ones.
    also: &'static [&'static str],
}

impl ImpureFinder {
    fn new(also: &'static [&'static str]) -> ImpureFinder {
        ImpureFinder { found: None, also }
    }
}

impl Visit for ImpureFinder {
    fn visit_func_call(&mut self, node: &FuncCall) {
        if self.found.is_none() {
            let name = node.name.name.value().as_str();
            if !node.name.namespace.is_empty() {
                let namespace: Vec<&str> = node
                    .name
                    .namespace
                    .iter()
                    .map(|part| part.value().as_str())
                    .collect();
                self.found = Some(format!("{}::{name}", namespace.join("::")));
            } else if IMPURE_FUNCTIONS.contains(&name) || self.also.contains(&name) {
                self.found = Some(name.to_string());
            }
        }
        visit_func_call(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expression {
        match text.parse::<Expression>() {
            Ok(expr) => expr,
            Err(err) => panic!("{text}: {err}"),
        }
    }

    #[test]
    fn impure_and_provider_functions_are_found_at_any_depth_and_pure_ones_are_not() {
        assert_eq!(
            impure_call_in_expr(&expr("timestamp()")).as_deref(),
            Some("timestamp")
        );
        assert_eq!(
            impure_call_in_expr(&expr("upper(\"${uuid()}-x\")")).as_deref(),
            Some("uuid")
        );
        assert_eq!(
            impure_call_in_expr(&expr("[for k in var.x : bcrypt(k)]")).as_deref(),
            Some("bcrypt")
        );
        assert_eq!(
            impure_call_in_expr(&expr("provider::tenant::slug(\"a\")")).as_deref(),
            Some("provider::tenant::slug")
        );
        assert_eq!(impure_call_in_expr(&expr("upper(lower(\"A\"))")), None);
        assert_eq!(impure_call_in_expr(&expr("\"timestamp()\"")), None);
        let body: Body = match "a = 1\nb { c = plantimestamp() }\n".parse() {
            Ok(body) => body,
            Err(err) => panic!("{err}"),
        };
        assert_eq!(impure_call_in_body(&body).as_deref(), Some("plantimestamp"));
        let reads: Body = match "a = file(\"x\")\n".parse() {
            Ok(body) => body,
            Err(err) => panic!("{err}"),
        };
        assert_eq!(impure_call_in_body(&reads), None);
        assert_eq!(impure_or_file_call_in_body(&reads).as_deref(), Some("file"));
        assert_eq!(
            impure_or_file_call_in_expr(&expr("templatefile(\"t\", {})")).as_deref(),
            Some("templatefile")
        );
    }
}
