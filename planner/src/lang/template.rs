//! String templates and heredocs: literals, `${...}` interpolations and the `%{if}` and
//! `%{for}` directives, with `~` whitespace stripping. A template made of one interpolation
//! only yields that interpolation's value unchanged, as in HCL. A rendered template is
//! sensitive when any value it reads is.

use hcl_edit::Span;
use hcl_edit::template::{Directive, Element, HeredocTemplate, Template};
use tenantform_proto::value::{Type, Value};

use super::convert::convert;
use super::eval::{EvalResult, Evaluator};
use super::heredoc;
use super::marks::{Marked, Sensitivity};
use crate::diags::Diagnostics;

/// Where whitespace must be stripped around one element.
#[derive(Clone, Copy, Default)]
struct StripMarks {
    before: bool,
    after: bool,
}

fn strip_marks(element: &Element) -> StripMarks {
    match element {
        Element::Literal(_) => StripMarks::default(),
        Element::Interpolation(interp) => StripMarks {
            before: interp.strip.strip_start(),
            after: interp.strip.strip_end(),
        },
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => StripMarks {
                before: d.if_expr.strip.strip_start(),
                after: d.endif_expr.strip.strip_end(),
            },
            Directive::For(d) => StripMarks {
                before: d.for_expr.strip.strip_start(),
                after: d.endfor_expr.strip.strip_end(),
            },
        },
    }
}

impl Evaluator<'_> {
    /// A heredoc, with HCL's line-by-line strip markers and, for `<<-`, its indentation rule.
    pub(super) fn eval_heredoc(&mut self, heredoc: &HeredocTemplate) -> EvalResult {
        let flush = heredoc
            .span()
            .and_then(|span| self.source_text(span))
            .map_or(heredoc.indent().is_some(), |text| text.starts_with("<<-"));
        let template = heredoc::normalize(heredoc, flush);
        self.eval_template(&template)
    }

    pub(super) fn eval_template(&mut self, template: &Template) -> EvalResult {
        if let Some(Element::Interpolation(interp)) = template.as_single_element() {
            return self.eval(&interp.expr);
        }
        let mut marks = Sensitivity::None;
        let value = self.render_template(template, false, false, &mut marks)?;
        Ok(Marked::new(value, marks))
    }

    /// Renders a template to a string; `trim_start`/`trim_end` strip the whitespace at its
    /// edges (set by `~` markers of an enclosing directive).
    fn render_template(
        &mut self,
        template: &Template,
        trim_start: bool,
        trim_end: bool,
        marks: &mut Sensitivity,
    ) -> Result<Value, Diagnostics> {
        let elements: Vec<&Element> = template.iter().collect();
        let mut out = String::new();
        let mut unknown = false;
        for (i, element) in elements.iter().enumerate() {
            match element {
                Element::Literal(literal) => {
                    let mut text: &str = literal.value();
                    let strip_left =
                        (i == 0 && trim_start) || (i > 0 && strip_marks(elements[i - 1]).after);
                    let strip_right = (i + 1 == elements.len() && trim_end)
                        || elements
                            .get(i + 1)
                            .is_some_and(|next| strip_marks(next).before);
                    if strip_left {
                        text = text.trim_start();
                    }
                    if strip_right {
                        text = text.trim_end();
                    }
                    out.push_str(text);
                }
                Element::Interpolation(interp) => {
                    let value = self.eval_operand(&interp.expr, marks)?;
                    match self.template_string(value, interp.expr.span())? {
                        Some(s) => out.push_str(&s),
                        None => unknown = true,
                    }
                }
                Element::Directive(directive) => match self.render_directive(directive, marks)? {
                    Some(s) => out.push_str(&s),
                    None => unknown = true,
                },
            }
        }
        Ok(if unknown {
            Value::Unknown
        } else {
            Value::String(super::functions::unicode::nfc(&out).into_owned())
        })
    }

    /// The text of a directive, or `None` when it depends on an unknown value.
    fn render_directive(
        &mut self,
        directive: &Directive,
        marks: &mut Sensitivity,
    ) -> Result<Option<String>, Diagnostics> {
        match directive {
            Directive::If(d) => {
                let condition = self.eval_operand(&d.if_expr.cond_expr, marks)?;
                let span = d.if_expr.cond_expr.span();
                let Some(chosen) = self.known_operand(
                    condition,
                    &Type::Bool,
                    span,
                    (
                        "Invalid template if directive",
                        "The condition value is null. Conditions must either be true or false.",
                    ),
                    (
                        "Invalid template if directive",
                        "The condition expression must be of type bool.",
                    ),
                    |value| value.as_bool(),
                )?
                else {
                    return Ok(None);
                };
                let else_strip = d.else_expr.as_ref().map(|e| e.strip);
                let rendered = if chosen {
                    let trim_end = match else_strip {
                        Some(strip) => strip.strip_start(),
                        None => d.endif_expr.strip.strip_start(),
                    };
                    self.render_template(
                        &d.if_expr.template,
                        d.if_expr.strip.strip_end(),
                        trim_end,
                        marks,
                    )?
                } else if let Some(else_expr) = &d.else_expr {
                    self.render_template(
                        &else_expr.template,
                        else_expr.strip.strip_end(),
                        d.endif_expr.strip.strip_start(),
                        marks,
                    )?
                } else {
                    Value::String(String::new())
                };
                Ok(match rendered {
                    Value::String(s) => Some(s),
                    _ => None,
                })
            }
            Directive::For(d) => {
                let (collection, collection_marks) =
                    self.eval(&d.for_expr.collection_expr)?.into_parts();
                if collection_marks.is_whole() {
                    *marks = Sensitivity::Whole;
                }
                let span = d.for_expr.collection_expr.span();
                let collection = std::borrow::Cow::Owned(collection);
                let Some(items) = self.iteration_items(collection, collection_marks, span)? else {
                    return Ok(None);
                };
                let key_var = d.for_expr.key_var.as_ref().map(|k| k.value().to_string());
                let value_var = d.for_expr.value_var.value().to_string();
                let mut out = String::new();
                for (key, value) in items {
                    let mut bindings = vec![(value_var.clone(), value)];
                    if let Some(key_var) = &key_var {
                        bindings.insert(0, (key_var.clone(), key.into()));
                    }
                    let rendered = self.with_bound(bindings, |ev| {
                        ev.render_template(
                            &d.for_expr.template,
                            d.for_expr.strip.strip_end(),
                            d.endfor_expr.strip.strip_start(),
                            marks,
                        )
                    })?;
                    match rendered {
                        Value::String(s) => out.push_str(&s),
                        _ => return Ok(None),
                    }
                }
                Ok(Some(out))
            }
        }
    }

    /// The string an interpolated value contributes, or `None` when it is unknown.
    fn template_string(
        &self,
        value: Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<Option<String>, Diagnostics> {
        match value {
            Value::Unknown => Ok(None),
            Value::Null => Err(self.error(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string \
                 template.",
                span,
            )),
            other => match convert(other, &Type::String) {
                Ok(Value::String(s)) => Ok(Some(s)),
                _ => Err(self.error(
                    "Invalid template interpolation value",
                    "Cannot include the given value in a string template: string required.",
                    span,
                )),
            },
        }
    }
}
