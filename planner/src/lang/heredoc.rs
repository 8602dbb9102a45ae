//! Heredoc whitespace as HCL handles it. HCL reads a heredoc's text one line at a time, so a
//! `~` strip marker only trims the line next to it, and it applies the markers before a
//! `<<-` heredoc loses its common indentation, which it measures on every line, inside
//! directives too, with a line that starts with `${` or `%{` (or whose indentation a marker
//! removed) counting as not indented. The parser we use dedents only top-level literals, before
//! stripping; [`normalize`] undoes that and applies HCL's rules, returning a template whose
//! literals are final and whose strip markers are cleared.

use hcl_edit::template::{Directive, Element, HeredocTemplate, Strip, Template};

/// One piece of a heredoc in reading order: a line of a literal (the literal's number in
/// reading order and its text, newline included), or an interpolation or directive marker.
enum Token {
    Line { literal: usize, text: String },
    Marker { trim_before: bool, trim_after: bool },
}

/// The heredoc's template with HCL's strip and (when `flush`) indentation rules applied.
pub(super) fn normalize(heredoc: &HeredocTemplate, flush: bool) -> Template {
    let mut template = heredoc.template.clone();
    if let Some(indent) = heredoc.indent() {
        reindent_top_level(&mut template, indent);
    }
    let mut tokens = Vec::new();
    let mut literals = 0;
    collect(&template, &mut tokens, &mut literals);
    apply_strip_markers(&mut tokens);
    if flush {
        remove_common_indent(&mut tokens);
    }
    let mut texts = vec![String::new(); literals];
    for token in tokens {
        if let Token::Line { literal, text } = token {
            texts[literal].push_str(&text);
        }
    }
    let mut texts = texts.into_iter();
    write_back(&mut template, &mut texts);
    template
}

/// Puts back the indentation the parser removed from top-level literal lines. A line that held
/// only that indentation before a marker was left empty, so it gets its indentation back too.
fn reindent_top_level(template: &mut Template, indent: usize) {
    let prefix = " ".repeat(indent);
    let mut mid_line = false;
    let mut previous_literal: Option<&mut String> = None;
    for element in template.iter_mut() {
        match element {
            Element::Literal(literal) => {
                let mut restored = String::with_capacity(literal.len() + prefix.len());
                for (index, line) in literal.split_inclusive('\n').enumerate() {
                    if !(index == 0 && mid_line) && line != "\n" {
                        restored.push_str(&prefix);
                    }
                    restored.push_str(line);
                }
                mid_line = !restored.ends_with('\n');
                *literal.as_mut() = restored;
                previous_literal = Some(literal.as_mut());
            }
            _ => {
                if let Some(previous) = previous_literal.take()
                    && previous.ends_with('\n')
                {
                    previous.push_str(&prefix);
                }
                mid_line = true;
            }
        }
    }
}

fn marker(tokens: &mut Vec<Token>, strip: Strip) {
    tokens.push(Token::Marker {
        trim_before: strip.strip_start(),
        trim_after: strip.strip_end(),
    });
}

fn collect(template: &Template, tokens: &mut Vec<Token>, literals: &mut usize) {
    for element in template {
        match element {
            Element::Literal(literal) => {
                let index = *literals;
                *literals += 1;
                for line in literal.split_inclusive('\n') {
                    tokens.push(Token::Line {
                        literal: index,
                        text: line.to_string(),
                    });
                }
            }
            Element::Interpolation(interpolation) => marker(tokens, interpolation.strip),
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(d) => {
                    marker(tokens, d.if_expr.strip);
                    collect(&d.if_expr.template, tokens, literals);
                    if let Some(else_expr) = &d.else_expr {
                        marker(tokens, else_expr.strip);
                        collect(&else_expr.template, tokens, literals);
                    }
                    marker(tokens, d.endif_expr.strip);
                }
                Directive::For(d) => {
                    marker(tokens, d.for_expr.strip);
                    collect(&d.for_expr.template, tokens, literals);
                    marker(tokens, d.endfor_expr.strip);
                }
            },
        }
    }
}

/// A marker's `~` trims the whitespace of the line token right before or after it.
fn apply_strip_markers(tokens: &mut [Token]) {
    for index in 0..tokens.len() {
        let Token::Marker {
            trim_before,
            trim_after,
        } = tokens[index]
        else {
            continue;
        };
        if trim_before
            && index > 0
            && let Token::Line { text, .. } = &mut tokens[index - 1]
        {
            *text = text.trim_end().to_string();
        }
        if trim_after && let Some(Token::Line { text, .. }) = tokens.get_mut(index + 1) {
            *text = text.trim_start().to_string();
        }
    }
}

/// Removes the smallest indentation of the tokens that start a line from each of them; blank
/// lines do not count and a marker at the start of a line counts as no indentation.
fn remove_common_indent(tokens: &mut [Token]) {
    let mut smallest = usize::MAX;
    let mut adjusted = Vec::new();
    let mut line_start = true;
    for (index, token) in tokens.iter().enumerate() {
        if line_start {
            line_start = false;
            match token {
                Token::Line { text, .. } => {
                    let rest = text.trim_start();
                    if !(rest.is_empty() && text.ends_with('\n')) {
                        let spaces = text[..text.len() - rest.len()].chars().count();
                        smallest = smallest.min(spaces);
                        adjusted.push(index);
                    }
                }
                Token::Marker { .. } => smallest = 0,
            }
        }
        if let Token::Line { text, .. } = token
            && text.ends_with('\n')
        {
            line_start = true;
        }
    }
    if smallest == 0 || smallest == usize::MAX {
        return;
    }
    for index in adjusted {
        if let Token::Line { text, .. } = &mut tokens[index] {
            let cut = text
                .char_indices()
                .nth(smallest)
                .map_or(text.len(), |(byte, _)| byte);
            text.replace_range(..cut, "");
        }
    }
}

/// Replaces the literals with `texts` in reading order and clears every strip marker.
fn write_back(template: &mut Template, texts: &mut impl Iterator<Item = String>) {
    for element in template.iter_mut() {
        match element {
            Element::Literal(literal) => *literal.as_mut() = texts.next().unwrap_or_default(),
            Element::Interpolation(interpolation) => interpolation.strip = Strip::None,
            Element::Directive(directive) => match directive.as_mut() {
                Directive::If(d) => {
                    d.if_expr.strip = Strip::None;
                    write_back(&mut d.if_expr.template, texts);
                    if let Some(else_expr) = &mut d.else_expr {
                        else_expr.strip = Strip::None;
                        write_back(&mut else_expr.template, texts);
                    }
                    d.endif_expr.strip = Strip::None;
                }
                Directive::For(d) => {
                    d.for_expr.strip = Strip::None;
                    write_back(&mut d.for_expr.template, texts);
                    d.endfor_expr.strip = Strip::None;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use hcl_edit::expr::Expression;

    use super::*;

    fn heredoc(source: &str) -> (HeredocTemplate, bool) {
        let body: hcl_edit::structure::Body = source.parse().expect("parses");
        let attr = body.get_attribute("x").expect("x");
        match &attr.value {
            Expression::HeredocTemplate(heredoc) => {
                (heredoc.as_ref().clone(), source.contains("<<-"))
            }
            _ => panic!("not a heredoc"),
        }
    }

    fn literals(template: &Template) -> Vec<String> {
        template
            .iter()
            .filter_map(|element| match element {
                Element::Literal(literal) => Some(literal.value().clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_strip_marker_trims_only_the_line_next_to_it() {
        let (doc, flush) = heredoc("x = <<EOT\nhead\n  %{~ if true ~}  \nbody\n%{ endif }\nEOT\n");
        let template = normalize(&doc, flush);
        assert_eq!(literals(&template)[0], "head\n");
    }

    #[test]
    fn a_stripped_line_start_keeps_the_indentation_of_a_flush_heredoc() {
        let (doc, flush) = heredoc("x = <<-EOT\n    a\n    %{~ if true }b%{ endif }\nEOT\n");
        let template = normalize(&doc, flush);
        assert_eq!(literals(&template)[0], "    a\n");
    }

    #[test]
    fn a_flush_heredoc_dedents_lines_inside_directives() {
        let (doc, flush) =
            heredoc("x = <<-EOT\n    a\n    %{ if true }\n    b\n    %{ endif }\nEOT\n");
        let template = normalize(&doc, flush);
        assert_eq!(literals(&template), vec!["a\n", "\n"]);
        let Some(Element::Directive(directive)) = template.iter().nth(1) else {
            panic!("the second element is the if directive");
        };
        let Directive::If(if_directive) = directive.as_ref() else {
            panic!("an if directive");
        };
        assert_eq!(literals(&if_directive.if_expr.template), vec!["\nb\n"]);
    }
}
