//! Putting the separately parsed pieces back: each placeholder variable left by the rewrite
//! is replaced by the expression parsed from the text it stood for, and each object that had
//! repeated keys gets its shadowed values back under keys no configuration can write.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Object, ObjectKey, ObjectValue};
use hcl_edit::structure::Body;
use hcl_edit::visit_mut::{VisitMut, visit_body_mut, visit_expr_mut};

/// Replaces the placeholders of `body` and restores its shadowed object items; whether every
/// piece found its place.
pub(super) fn apply_to_body(body: &mut Body, grafts: &mut Grafts, shadowed: Shadowed) -> bool {
    apply(grafts, shadowed, |grafter| visit_body_mut(grafter, body))
}

/// Replaces the placeholders of `expr` and restores its shadowed object items; whether every
/// piece found its place.
pub(super) fn apply_to_expr(
    expr: &mut Expression,
    grafts: &mut Grafts,
    shadowed: Shadowed,
) -> bool {
    apply(grafts, shadowed, |grafter| grafter.visit_expr_mut(expr))
}

/// Runs `visit` with a grafter of these pieces; whether every piece found its place.
fn apply(grafts: &mut Grafts, shadowed: Shadowed, visit: impl FnOnce(&mut Grafter<'_>)) -> bool {
    let mut grafter = Grafter { grafts, shadowed };
    visit(&mut grafter);
    grafter.grafts.is_empty() && grafter.shadowed.is_empty()
}

/// Cut-out pieces by the placeholder that stands for them.
pub(super) type Grafts = HashMap<String, Expression>;

/// Shadowed object items by the range of the object holding them.
pub(super) type Shadowed = HashMap<Range<usize>, Vec<Expression>>;

struct Grafter<'a> {
    grafts: &'a mut Grafts,
    shadowed: Shadowed,
}

impl Grafter<'_> {
    /// Keys that are expressions holding a placeholder cannot be edited in place: such
    /// items are taken out, their keys grafted, and put back.
    fn graft_keys(&mut self, object: &mut Object) {
        let keys: Vec<ObjectKey> = object
            .iter()
            .filter(|(key, _)| matches!(key, ObjectKey::Expression(_)))
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            let Some((ObjectKey::Expression(mut expr), value)) = object.remove_entry(&key) else {
                continue;
            };
            self.visit_expr_mut(&mut expr);
            object.insert(ObjectKey::Expression(expr), value);
        }
    }

    fn restore_shadowed(&mut self, object: &mut Object, span: Option<Range<usize>>) {
        let Some(values) = span.and_then(|span| self.shadowed.remove(&span)) else {
            return;
        };
        for (index, value) in values.into_iter().enumerate() {
            object.insert(super::shadowed_key(index), ObjectValue::new(value));
        }
    }
}

impl VisitMut for Grafter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        if let Expression::Variable(name) = expr
            && let Some(graft) = self.grafts.remove(name.value().as_str())
        {
            *expr = graft;
        }
        visit_expr_mut(self, expr);
        let span = expr.span();
        if let Expression::Object(object) = expr {
            self.graft_keys(object);
            self.restore_shadowed(object, span);
        }
    }
}
