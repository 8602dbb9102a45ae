//! The whitespace rules of HCL's canonical style, applied to a token sequence in place:
//! indentation by bracket nesting (two spaces per level), the spacing between neighbouring
//! tokens by their kinds, and the vertical alignment of `=` in runs of single-line
//! attributes and of comments that end lines. Only `spaces_before` changes.

use super::token::{Token, TokenKind};
use super::width::display_columns;

/// One line split into cells: `lead` is `start..assign`, `assign` (from an attribute's
/// `=`) is `assign..comment`, and the trailing line comment is `comment..end`. A missing
/// cell is empty.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    assign: usize,
    comment: usize,
    end: usize,
}

impl Line {
    fn has_assign(&self) -> bool {
        self.assign < self.comment
    }

    fn has_comment(&self) -> bool {
        self.comment < self.end
    }
}

/// Rewrites the spaces before every token to the canonical layout.
pub(crate) fn layout(tokens: &mut [Token]) {
    let mut lines = split_lines(tokens);
    find_cells(tokens, &mut lines);
    indent(tokens, &lines);
    space(tokens, &lines);
    align(tokens, &lines);
}

fn split_lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if token.ends_line() {
            lines.push(Line {
                start,
                assign: i + 1,
                comment: i + 1,
                end: i + 1,
            });
            start = i + 1;
        }
    }
    lines.push(Line {
        start,
        assign: tokens.len(),
        comment: tokens.len(),
        end: tokens.len(),
    });
    lines
}

fn find_cells(tokens: &[Token], lines: &mut [Line]) {
    for line in lines.iter_mut() {
        if line.end - line.start > 1 && tokens[line.end - 1].kind == TokenKind::Comment {
            line.comment = line.end - 1;
            line.assign = line.comment;
        }
        let lead_end = line.assign;
        let equals = (line.start + 1..lead_end).find(|&i| tokens[i].kind == TokenKind::Equal);
        if let Some(equals) = equals {
            let net: i32 = tokens[equals..lead_end]
                .iter()
                .map(Token::bracket_change)
                .sum();
            if net == 0 {
                line.assign = equals;
            }
        }
    }
}

fn indent(tokens: &mut [Token], lines: &[Line]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        if line.start == line.assign {
            continue;
        }
        if tokens[line.start].kind == TokenKind::Newline {
            tokens[line.start].spaces_before = 0;
            continue;
        }
        let mut net = 0;
        for token in &tokens[line.start..line.assign] {
            net += token.bracket_change();
            if token.kind == TokenKind::OHeredoc {
                break;
            }
        }
        net += tokens[line.assign..line.comment]
            .iter()
            .map(Token::bracket_change)
            .sum::<i32>();
        if net > 0 {
            tokens[line.start].spaces_before = 2 * levels.len();
            levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = levels.last_mut() else { break };
            if closed >= *top {
                closed -= *top;
                levels.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        tokens[line.start].spaces_before = 2 * levels.len();
    }
}

fn space(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.start, line.assign);
        if line.has_assign() {
            tokens[line.assign].spaces_before = 1;
            space_cell(tokens, line.assign, line.comment);
        }
    }
}

/// Sets the spaces between the neighbouring tokens of `start..end`.
fn space_cell(tokens: &mut [Token], start: usize, end: usize) {
    for i in start..end.saturating_sub(1) {
        let before = (i > start).then(|| tokens[i - 1].kind);
        let wanted = space_after(&tokens[i], before, tokens[i + 1].kind);
        tokens[i + 1].spaces_before = usize::from(wanted);
    }
}

fn columns(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .map(|t| t.spaces_before + display_columns(&t.text))
        .sum()
}

fn align(tokens: &mut [Token], lines: &[Line]) {
    align_cells(tokens, lines, Line::has_assign, |line| line.assign);
    align_cells(tokens, lines, Line::has_comment, |line| line.comment);
}

/// In every run of consecutive lines that have the cell, moves the cell one column past the
/// widest text before it.
fn align_cells(
    tokens: &mut [Token],
    lines: &[Line],
    has_cell: fn(&Line) -> bool,
    cell_start: fn(&Line) -> usize,
) {
    let mut index = 0;
    while index < lines.len() {
        let run_length = lines[index..].iter().take_while(|l| has_cell(l)).count();
        if run_length == 0 {
            index += 1;
            continue;
        }
        let run = &lines[index..index + run_length];
        let widest = run
            .iter()
            .map(|line| columns(&tokens[line.start..cell_start(line)]))
            .max()
            .unwrap_or(0);
        for line in run {
            let width = columns(&tokens[line.start..cell_start(line)]);
            tokens[cell_start(line)].spaces_before = widest - width + 1;
        }
        index += run_length;
    }
}

/// Whether `subject` is followed by a space, given the kinds of its neighbours (`before` is
/// `None` at the start of a cell).
fn space_after(subject: &Token, before: Option<TokenKind>, after: TokenKind) -> bool {
    use TokenKind::*;
    let kind = subject.kind;
    let opens = subject.bracket_change() > 0;
    let closes = subject.bracket_change() < 0;
    let after_closes = matches!(after, CBrace | CBrack | CParen | TemplateSeqEnd);
    if after == Newline {
        return false;
    }
    if kind == Ident && after == OParen {
        return false;
    }
    if (kind == Ident && after == DoubleColon) || (kind == DoubleColon && after == Ident) {
        return false;
    }
    if kind == Dot || after == Dot {
        return false;
    }
    if after == Comma || after == Ellipsis {
        return false;
    }
    if kind == Comma {
        return true;
    }
    if matches!(kind, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(after, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false;
    }
    if kind == Ident && subject.text == "in" && before == Some(Ident) {
        return true;
    }
    if after == OBrack && (kind == Ident || kind == Number || closes) {
        return false;
    }
    if kind == Bang {
        return false;
    }
    if kind == Minus {
        return !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | Greater
                    | GreaterEq
                    | Less
                    | LessEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if kind == OBrace || after == CBrace {
        return !(kind == OBrace && after == CBrace);
    }
    if matches!(kind, TemplateInterp | TemplateControl) && after == OBrace {
        return true;
    }
    if kind == CBrace && after == TemplateSeqEnd {
        return true;
    }
    if kind == TemplateSeqEnd && matches!(after, TemplateInterp | TemplateControl) {
        return false;
    }
    !opens && !after_closes
}
