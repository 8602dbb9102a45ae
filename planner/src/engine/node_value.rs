//! The value the walk keeps for one graph node in one module instance: evaluated (variables,
//! locals, outputs, module calls), or a resource block's instance objects, each shared with
//! the planned change that holds it and made into the block's value only when an expression
//! refers to the block. A fleet's planned objects are so held once, not once in the plan and
//! once more in the walk.

use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::addrs::InstanceKey;
use crate::config::Resource;
use crate::lang::{Marked, Sensitivity};

use super::expand::Expansion;

/// One resource instance's object as references see it, with its marks.
#[derive(Clone, Debug)]
pub(crate) struct InstanceValue {
    pub value: Arc<Value>,
    /// Shared by the instances marked alike (see `PlanAccumulator::shared_marks`).
    pub marks: Arc<Sensitivity>,
}

impl InstanceValue {
    pub(crate) fn new(value: Arc<Value>, marks: impl Into<Arc<Sensitivity>>) -> InstanceValue {
        InstanceValue {
            value,
            marks: marks.into(),
        }
    }

    /// An instance value held by the walk alone.
    pub(crate) fn owned(marked: Marked) -> InstanceValue {
        let (value, marks) = marked.into_parts();
        InstanceValue::new(Arc::new(value), marks)
    }
}

/// How a resource block repeats, which decides the shape of its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repetition {
    /// Neither `count` nor `for_each`: the single instance's object.
    Single,
    /// `count`: a tuple by index.
    Count,
    /// `for_each`: an object by key.
    ForEach,
}

impl Repetition {
    /// The repetition a resource block declares.
    pub(crate) fn of(resource: &Resource) -> Repetition {
        if resource.count.is_some() {
            Repetition::Count
        } else if resource.for_each.is_some() {
            Repetition::ForEach
        } else {
            Repetition::Single
        }
    }

    /// The repetition of an evaluated expansion.
    pub(crate) fn of_expansion(expansion: &Expansion) -> Repetition {
        match expansion {
            Expansion::Single => Repetition::Single,
            Expansion::Count(_) => Repetition::Count,
            Expansion::ForEach(_) => Repetition::ForEach,
        }
    }

    /// An expansion of this repetition, for shaping values (its keys and `each.value`s
    /// are not those of any block).
    pub(crate) fn shape(self) -> Expansion {
        match self {
            Repetition::Single => Expansion::Single,
            Repetition::Count => Expansion::Count(0),
            Repetition::ForEach => Expansion::ForEach(Default::default()),
        }
    }
}

/// How a module call expanded in one calling module instance: its repetition and keys.
#[derive(Clone, Debug)]
pub(crate) struct CallExpansion {
    pub repetition: Repetition,
    pub keys: Vec<InstanceKey>,
}

impl CallExpansion {
    pub(crate) fn of(expansion: &Expansion) -> CallExpansion {
        CallExpansion {
            repetition: Repetition::of_expansion(expansion),
            keys: expansion.keys(),
        }
    }
}

/// A resource block's instances in one module instance, in key order.
#[derive(Clone, Debug)]
pub(crate) struct BlockInstances {
    pub repetition: Repetition,
    pub instances: Vec<(InstanceKey, InstanceValue)>,
}

/// What the walk knows of one node in one module instance.
#[derive(Clone, Debug)]
pub(crate) enum NodeValue {
    Evaluated(Marked),
    Instances(BlockInstances),
}

impl NodeValue {
    /// A resource block's value made of its instances.
    pub(crate) fn instances(
        repetition: Repetition,
        instances: Vec<(InstanceKey, InstanceValue)>,
    ) -> NodeValue {
        NodeValue::Instances(BlockInstances {
            repetition,
            instances,
        })
    }

    /// The value an expression referring to the node sees.
    pub(crate) fn into_marked(self) -> Marked {
        match self {
            NodeValue::Evaluated(marked) => marked,
            instances @ NodeValue::Instances(_) => instances.to_marked(),
        }
    }

    /// Whether the node's value is null.
    pub(crate) fn is_null(&self) -> bool {
        match self {
            NodeValue::Evaluated(marked) => marked.value.is_null(),
            NodeValue::Instances(block) => {
                block.repetition == Repetition::Single
                    && block
                        .instances
                        .first()
                        .is_none_or(|(_, instance)| instance.value.is_null())
            }
        }
    }

    /// The value an expression referring to the node sees (a copy).
    pub(crate) fn to_marked(&self) -> Marked {
        match self {
            NodeValue::Evaluated(marked) => marked.clone(),
            NodeValue::Instances(block) => {
                let values = block
                    .instances
                    .iter()
                    .map(|(key, instance)| {
                        let value = Value::clone(&instance.value);
                        let marks = Sensitivity::clone(&instance.marks);
                        (key.clone(), Marked::new(value, marks))
                    })
                    .collect();
                block.repetition.shape().collect_marked(values)
            }
        }
    }
}

impl From<Marked> for NodeValue {
    fn from(marked: Marked) -> NodeValue {
        NodeValue::Evaluated(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(text: &str, sensitive: bool) -> InstanceValue {
        InstanceValue::new(
            Arc::new(Value::String(text.into())),
            Sensitivity::whole_if(sensitive),
        )
    }

    #[test]
    fn a_single_instance_block_is_its_object() {
        let node = NodeValue::instances(
            Repetition::Single,
            vec![(InstanceKey::None, instance("a", true))],
        );
        let marked = node.to_marked();
        assert_eq!(marked.value, Value::String("a".into()));
        assert!(marked.marks.is_whole());
    }

    #[test]
    fn counted_and_keyed_blocks_are_a_tuple_and_an_object_with_their_marks() {
        let counted = NodeValue::instances(
            Repetition::Count,
            vec![
                (InstanceKey::Int(0), instance("a", false)),
                (InstanceKey::Int(1), instance("b", true)),
            ],
        )
        .to_marked();
        assert_eq!(
            counted.value,
            Value::Tuple(vec![Value::String("a".into()), Value::String("b".into())])
        );
        assert!(!counted.marks.element(0).any());
        assert!(counted.marks.element(1).is_whole());
        let keyed = NodeValue::instances(
            Repetition::ForEach,
            vec![(InstanceKey::Str("k".into()), instance("v", false))],
        )
        .to_marked();
        assert_eq!(keyed.value.get_attr("k"), Some(&Value::String("v".into())));
    }

    #[test]
    fn a_block_without_instances_is_null_or_empty() {
        let none = |repetition| {
            NodeValue::instances(repetition, Vec::new())
                .to_marked()
                .value
        };
        assert_eq!(none(Repetition::Single), Value::Null);
        assert_eq!(none(Repetition::Count), Value::Tuple(Vec::new()));
        assert_eq!(none(Repetition::ForEach), Value::Object(Default::default()));
    }
}
