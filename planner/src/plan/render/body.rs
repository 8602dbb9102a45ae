//! The body of a rendered change: attributes aligned by name, one-sided values (created or
//! destroyed), two-sided diffs of primitives, maps, objects and sequences, and nested blocks
//! by their schema nesting mode.

use super::*;

/// Attributes shown even when unchanged, in every block, as Terraform shows them, to identify
/// the object.
const IDENTIFYING: [&str; 3] = ["id", "name", "tags"];

fn entries(value: &Value) -> Option<&BTreeMap<String, Value>> {
    match value {
        Value::Map(entries) | Value::Object(entries) => Some(entries),
        _ => None,
    }
}

fn items(value: &Value) -> &[Value] {
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items,
        _ => &[],
    }
}

fn display_key(key: &str, quoted: bool) -> String {
    if quoted {
        serde_json::to_string(key).unwrap_or_default()
    } else {
        key.to_string()
    }
}

impl Renderer<'_> {
    fn line(&mut self, depth: usize, sym: Sym, text: &str) {
        if self.symbols {
            self.out.push_str(&" ".repeat(4 * depth + 2));
            self.out.push_str(&paint(sym.text(), self.color));
            self.out.push(' ');
        } else {
            self.out.push_str(&" ".repeat(4 * depth));
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A closing bracket, or a comment, at the text column of `depth`'s lines.
    fn close(&mut self, depth: usize, text: &str) {
        let column = if self.symbols {
            4 * depth + 4
        } else {
            4 * depth
        };
        self.out.push_str(&" ".repeat(column));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn is_sensitive(&self, path: &[PathStep]) -> bool {
        self.sensitive.iter().any(|p| path.starts_with(&p.0))
    }

    fn note(&self, path: &[PathStep]) -> String {
        if !self.replace.iter().any(|p| p.0 == path) {
            return String::new();
        }
        if self.color {
            " \x1b[31m# forces replacement\x1b[0m".into()
        } else {
            " # forces replacement".into()
        }
    }

    /// A block's attributes and nested blocks, `before` and `after` being objects or null.
    pub(super) fn block_body(
        &mut self,
        depth: usize,
        block: Option<&Block>,
        before: &Value,
        after: &Value,
        path: &mut Vec<PathStep>,
    ) {
        let no_entries = BTreeMap::new();
        let before_attrs = entries(before).unwrap_or(&no_entries);
        let after_attrs = entries(after).unwrap_or(&no_entries);
        let is_block = |name: &str| block.is_some_and(|b| b.block_types.contains_key(name));
        let names: BTreeSet<&String> = before_attrs
            .keys()
            .chain(after_attrs.keys())
            .filter(|n| !is_block(n))
            .collect();
        let null = Value::Null;
        let mut shown = Vec::new();
        let mut hidden = 0;
        for name in names {
            let b = before_attrs.get(name).unwrap_or(&null);
            let a = after_attrs.get(name).unwrap_or(&null);
            if b.is_null() && a.is_null() {
                continue;
            }
            if b == a && !self.show_unchanged {
                if IDENTIFYING.contains(&name.as_str()) {
                    shown.push((name, b, a, true));
                } else {
                    hidden += 1;
                }
                continue;
            }
            shown.push((name, b, a, false));
        }
        let width = aligned_width(before_attrs, after_attrs, |name| {
            (!is_block(name)).then(|| name.to_string())
        });
        for (name, b, a, unchanged) in shown {
            let lead = format!("{name:width$} = ");
            path.push(PathStep::Attribute(name.clone()));
            if unchanged {
                self.whole(depth, Sym::Same, Sym::Same, &lead, b, path, "", "");
            } else {
                self.diff(depth, &lead, b, a, path, "");
            }
            path.pop();
        }
        if hidden > 0 {
            self.close(
                depth,
                &format!("# ({} hidden)", plural(hidden, "attribute")),
            );
        }
        if let Some(block) = block {
            self.nested_blocks(depth, block, before_attrs, after_attrs, path);
        }
    }

    fn nested_blocks(
        &mut self,
        depth: usize,
        block: &Block,
        before: &BTreeMap<String, Value>,
        after: &BTreeMap<String, Value>,
        path: &mut Vec<PathStep>,
    ) {
        let mut hidden = 0;
        for (name, nested) in &block.block_types {
            let b = before.get(name).unwrap_or(NULL);
            let a = after.get(name).unwrap_or(NULL);
            let pairs = match nested.nesting {
                Nesting::Single | Nesting::Group => vec![BlockPair::new(String::new(), None, b, a)],
                Nesting::List => list_block_pairs(b, a),
                Nesting::Set => self.set_block_pairs(b, a, &mut hidden),
                Nesting::Map => map_block_pairs(b, a),
            };
            path.push(PathStep::Attribute(name.clone()));
            // A blank line sets each type's blocks apart from the attributes before them, as
            // Terraform's renderer does; the blocks of one type follow each other directly.
            let mut first = !block.attributes.is_empty();
            for pair in pairs {
                if pair.before == pair.after && (pair.before.is_null() || !self.show_unchanged) {
                    if !pair.before.is_null() {
                        hidden += 1;
                    }
                    continue;
                }
                if std::mem::take(&mut first) {
                    self.out.push('\n');
                }
                self.nested_block(depth, name, &nested.block, pair, path);
            }
            path.pop();
        }
        if hidden > 0 {
            self.out.push('\n');
            self.close(depth, &format!("# ({} hidden)", plural(hidden, "block")));
        }
    }

    /// One nested block's change, its body one level deeper.
    fn nested_block(
        &mut self,
        depth: usize,
        name: &str,
        block: &Block,
        pair: BlockPair<'_>,
        path: &mut Vec<PathStep>,
    ) {
        let BlockPair {
            label,
            step,
            before: b,
            after: a,
        } = pair;
        let pushed = step.is_some();
        path.extend(step);
        let sym = match (b.is_null(), a.is_null()) {
            (true, _) => Sym::Add,
            (_, true) => Sym::Remove,
            _ if b == a => Sym::Same,
            _ => Sym::Change,
        };
        let note = self.note(path);
        if a.is_unknown() {
            self.line(
                depth,
                sym,
                &format!("{name}{label} {KNOWN_AFTER_APPLY}{note}"),
            );
        } else {
            self.line(depth, sym, &format!("{name}{label} {{{note}"));
            self.block_body(depth + 1, Some(block), b, a, path);
            self.close(depth, "}");
        }
        if pushed {
            path.pop();
        }
    }

    /// The blocks of a set before and after: unchanged ones (counted in `hidden` unless shown),
    /// then removed ones, then added ones.
    fn set_block_pairs<'v>(
        &self,
        b: &'v Value,
        a: &'v Value,
        hidden: &mut usize,
    ) -> Vec<BlockPair<'v>> {
        let (bs, as_) = (items(b), items(a));
        let mut pairs = Vec::new();
        for (i, item) in bs.iter().enumerate() {
            let step = Some(PathStep::IntKey(i as i64));
            if as_.contains(item) && self.show_unchanged {
                pairs.push(BlockPair::new(String::new(), step, item, item));
            } else if as_.contains(item) {
                *hidden += 1;
            } else {
                pairs.push(BlockPair::new(String::new(), step, item, NULL));
            }
        }
        for (i, item) in as_.iter().enumerate() {
            if !bs.contains(item) {
                let step = Some(PathStep::IntKey(i as i64));
                pairs.push(BlockPair::new(String::new(), step, NULL, item));
            }
        }
        pairs
    }

    /// The change of one value from `before` to `after` (either may be null).
    pub(super) fn diff(
        &mut self,
        depth: usize,
        lead: &str,
        before: &Value,
        after: &Value,
        path: &mut Vec<PathStep>,
        tail: &str,
    ) {
        let note = self.note(path);
        if self.is_sensitive(path) {
            let (sym, text) = match (before.is_null(), after.is_null()) {
                (true, _) => (Sym::Add, format!("{lead}{SENSITIVE}{tail}")),
                (_, true) => (Sym::Remove, format!("{lead}{SENSITIVE} -> null{tail}")),
                _ if before == after => (Sym::Same, format!("{lead}{SENSITIVE}{tail}")),
                _ => (Sym::Change, format!("{lead}{SENSITIVE}{tail}")),
            };
            self.line(depth, sym, &format!("{text}{note}"));
            return;
        }
        let whole = if before.is_null() {
            Some((Sym::Add, Sym::Add, after, tail.to_string()))
        } else if after.is_null() {
            Some((Sym::Remove, Sym::Remove, before, format!(" -> null{tail}")))
        } else if before == after {
            Some((Sym::Same, Sym::Same, before, tail.to_string()))
        } else if after.is_unknown() {
            let tail = format!(" -> {KNOWN_AFTER_APPLY}{tail}");
            Some((Sym::Change, Sym::Remove, before, tail))
        } else {
            None
        };
        if let Some((sym, child, value, tail)) = whole {
            self.whole(depth, sym, child, lead, value, path, &tail, &note);
            return;
        }
        match (before, after) {
            (Value::Map(b), Value::Map(a)) | (Value::Object(b), Value::Object(a)) => {
                let quoted = matches!(before, Value::Map(_));
                self.line(depth, Sym::Change, &format!("{lead}{{{note}"));
                self.entries_diff(depth + 1, b, a, quoted, path);
                self.close(depth, &format!("}}{tail}"));
            }
            (
                Value::List(b) | Value::Set(b) | Value::Tuple(b),
                Value::List(a) | Value::Set(a) | Value::Tuple(a),
            ) => {
                self.line(depth, Sym::Change, &format!("{lead}[{note}"));
                self.sequence_diff(depth + 1, b, a, path);
                self.close(depth, &format!("]{tail}"));
            }
            _ if !is_collection_with_items(before) && !is_collection_with_items(after) => {
                if let Some(lines) = super::multiline::changed_lines(before, after) {
                    self.heredoc(depth, Sym::Change, lead, &lines, tail, &note);
                    return;
                }
                let text = format!("{lead}{} -> {}{tail}{note}", inline(before), inline(after));
                self.line(depth, Sym::Change, &text);
            }
            _ => {
                let removed = format!(" -> null{tail}");
                self.whole(
                    depth,
                    Sym::Remove,
                    Sym::Remove,
                    lead,
                    before,
                    path,
                    &removed,
                    &note,
                );
                self.whole(depth, Sym::Add, Sym::Add, lead, after, path, tail, &note);
            }
        }
    }

    fn entries_diff(
        &mut self,
        depth: usize,
        before: &BTreeMap<String, Value>,
        after: &BTreeMap<String, Value>,
        quoted: bool,
        path: &mut Vec<PathStep>,
    ) {
        let null = Value::Null;
        let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let mut shown = Vec::new();
        let mut hidden = 0;
        for key in keys {
            let b = before.get(key).unwrap_or(&null);
            let a = after.get(key).unwrap_or(&null);
            if b == a {
                hidden += usize::from(!b.is_null());
            } else {
                shown.push((display_key(key, quoted), key, b, a));
            }
        }
        let width = aligned_width(before, after, |key| Some(display_key(key, quoted)));
        for (shown_key, key, b, a) in shown {
            let step = if quoted {
                PathStep::StringKey(key.clone())
            } else {
                PathStep::Attribute(key.clone())
            };
            path.push(step);
            self.diff(depth, &format!("{shown_key:width$} = "), b, a, path, "");
            path.pop();
        }
        if hidden > 0 {
            let word = if quoted { "element" } else { "attribute" };
            self.close(depth, &format!("# ({} hidden)", plural(hidden, word)));
        }
    }

    fn sequence_diff(
        &mut self,
        depth: usize,
        before: &[Value],
        after: &[Value],
        path: &mut Vec<PathStep>,
    ) {
        let old: Vec<String> = before.iter().map(Value::canonical_key).collect();
        let new: Vec<String> = after.iter().map(Value::canonical_key).collect();
        let mut hidden = 0;
        for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
            let (removed, added) = match op {
                DiffOp::Equal { len, .. } => {
                    hidden += len;
                    continue;
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => (old_index..old_index + old_len, 0..0),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => (0..0, new_index..new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (
                    old_index..old_index + old_len,
                    new_index..new_index + new_len,
                ),
            };
            for i in removed {
                path.push(PathStep::IntKey(i as i64));
                self.whole(
                    depth,
                    Sym::Remove,
                    Sym::Remove,
                    "",
                    &before[i],
                    path,
                    ",",
                    "",
                );
                path.pop();
            }
            for i in added {
                path.push(PathStep::IntKey(i as i64));
                self.whole(depth, Sym::Add, Sym::Add, "", &after[i], path, ",", "");
                path.pop();
            }
        }
        if hidden > 0 {
            self.close(depth, &format!("# ({} hidden)", plural(hidden, "element")));
        }
    }

    /// One side of a value, entirely added, removed or unchanged: `sym` on its first line,
    /// `child` on its elements.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn whole(
        &mut self,
        depth: usize,
        sym: Sym,
        child: Sym,
        lead: &str,
        value: &Value,
        path: &mut Vec<PathStep>,
        tail: &str,
        note: &str,
    ) {
        if self.is_sensitive(path) {
            self.line(depth, sym, &format!("{lead}{SENSITIVE}{tail}{note}"));
            return;
        }
        match value {
            Value::List(list) | Value::Set(list) | Value::Tuple(list) if !list.is_empty() => {
                self.line(depth, sym, &format!("{lead}[{note}"));
                for (i, item) in list.iter().enumerate() {
                    path.push(PathStep::IntKey(i as i64));
                    self.whole(depth + 1, child, child, "", item, path, ",", "");
                    path.pop();
                }
                self.close(depth, &format!("]{tail}"));
            }
            Value::Map(map) | Value::Object(map) if !map.is_empty() => {
                let quoted = matches!(value, Value::Map(_));
                let shown: Vec<(String, &String, &Value)> = map
                    .iter()
                    .filter(|(_, v)| quoted || !v.is_null())
                    .map(|(k, v)| (display_key(k, quoted), k, v))
                    .collect();
                if shown.is_empty() {
                    self.line(depth, sym, &format!("{lead}{{}}{tail}{note}"));
                    return;
                }
                let width = shown
                    .iter()
                    .map(|(k, ..)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                self.line(depth, sym, &format!("{lead}{{{note}"));
                for (shown_key, key, item) in shown {
                    let step = if quoted {
                        PathStep::StringKey(key.clone())
                    } else {
                        PathStep::Attribute(key.clone())
                    };
                    path.push(step);
                    let item_note = self.note(path);
                    let item_lead = format!("{shown_key:width$} = ");
                    self.whole(
                        depth + 1,
                        child,
                        child,
                        &item_lead,
                        item,
                        path,
                        "",
                        &item_note,
                    );
                    path.pop();
                }
                self.close(depth, &format!("}}{tail}"));
            }
            _ => match super::multiline::whole_lines(value) {
                Some(lines) => self.heredoc(depth, sym, lead, &lines, tail, note),
                None => self.line(depth, sym, &format!("{lead}{}{tail}{note}", inline(value))),
            },
        }
    }

    /// A multi-line string as Terraform shows it: `<<-EOT` after the name (and any note),
    /// each line of text one level deeper with its own symbol, then `EOT` and `tail`.
    fn heredoc(
        &mut self,
        depth: usize,
        sym: Sym,
        lead: &str,
        lines: &[(Sym, &str)],
        tail: &str,
        note: &str,
    ) {
        self.line(depth, sym, &format!("{lead}<<-EOT{note}"));
        for (line_sym, text) in lines {
            self.line(depth + 1, *line_sym, text);
        }
        self.close(depth, &format!("EOT{tail}"));
    }
}

/// The width names are aligned to: the longest of every entry that is not null on both
/// sides, shown or hidden, as Terraform aligns them (`label` gives an entry's shown name,
/// `None` for entries not listed as attributes).
fn aligned_width(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    label: impl Fn(&str) -> Option<String>,
) -> usize {
    let null = Value::Null;
    before
        .keys()
        .chain(after.keys())
        .filter(|key| {
            !(before.get(*key).unwrap_or(&null).is_null()
                && after.get(*key).unwrap_or(&null).is_null())
        })
        .filter_map(|key| label(key))
        .map(|shown| shown.chars().count())
        .max()
        .unwrap_or(0)
}

/// The null value, for blocks absent on one side.
const NULL: &Value = &Value::Null;

/// One nested block before and after, with its label (a map key) and its path step.
struct BlockPair<'v> {
    label: String,
    step: Option<PathStep>,
    before: &'v Value,
    after: &'v Value,
}

impl<'v> BlockPair<'v> {
    fn new(
        label: String,
        step: Option<PathStep>,
        before: &'v Value,
        after: &'v Value,
    ) -> BlockPair<'v> {
        BlockPair {
            label,
            step,
            before,
            after,
        }
    }
}

/// The blocks of a list before and after, by index.
fn list_block_pairs<'v>(b: &'v Value, a: &'v Value) -> Vec<BlockPair<'v>> {
    let (bs, as_) = (items(b), items(a));
    (0..bs.len().max(as_.len()))
        .map(|i| {
            let step = Some(PathStep::IntKey(i as i64));
            BlockPair::new(
                String::new(),
                step,
                bs.get(i).unwrap_or(NULL),
                as_.get(i).unwrap_or(NULL),
            )
        })
        .collect()
}

/// The blocks of a map before and after, by key.
fn map_block_pairs<'v>(b: &'v Value, a: &'v Value) -> Vec<BlockPair<'v>> {
    let bm = entries(b);
    let am = entries(a);
    let keys: BTreeSet<&String> = bm
        .into_iter()
        .flat_map(|m| m.keys())
        .chain(am.into_iter().flat_map(|m| m.keys()))
        .collect();
    keys.into_iter()
        .map(|key| {
            let label = format!(" {}", display_key(key, true));
            let step = Some(PathStep::StringKey(key.clone()));
            let before = bm.and_then(|m| m.get(key)).unwrap_or(NULL);
            let after = am.and_then(|m| m.get(key)).unwrap_or(NULL);
            BlockPair::new(label, step, before, after)
        })
        .collect()
}
