//! cty's type unification (`convert.Unify`): the one type that several values convert to,
//! used where HCL and Terraform need a single result type (conditional branches, the elements
//! of a collection a variable's `any` constraint builds, function results).

use std::collections::BTreeMap;

use tenantform_proto::value::Type;

/// The one type every type of `types` converts to, as cty unifies them: equal types stay,
/// primitives meet at string when one is a string, objects with different attributes and tuples of different
/// lengths become maps and lists. Null elements (`Dynamic`) take the others' type.
pub fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    let Some(first) = known.first() else {
        return Some(Type::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let elements_of = |pick: &dyn Fn(&Type) -> Option<Vec<Type>>| -> Option<Vec<Type>> {
        let mut all = Vec::new();
        for ty in &known {
            all.extend(pick(ty)?);
        }
        Some(all)
    };
    if known
        .iter()
        .all(|t| matches!(t, Type::String | Type::Number | Type::Bool))
    {
        // cty picks one of the given types: only a string takes both numbers and bools.
        return known
            .iter()
            .any(|t| **t == Type::String)
            .then_some(Type::String);
    }
    if known.iter().all(|t| matches!(t, Type::Object(_))) {
        let names = |t: &Type| match t {
            Type::Object(a) => a.keys().cloned().collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        if known.iter().all(|t| names(t) == names(first)) {
            let mut attributes = BTreeMap::new();
            for name in names(first) {
                let attr_types: Vec<Type> = known
                    .iter()
                    .filter_map(|t| match t {
                        Type::Object(a) => a.get(&name).cloned(),
                        _ => None,
                    })
                    .collect();
                attributes.insert(name, unify(&attr_types)?);
            }
            return Some(Type::Object(attributes));
        }
    }
    if known
        .iter()
        .all(|t| matches!(t, Type::Object(_) | Type::Map(_)))
    {
        let element_types = elements_of(&|t| match t {
            Type::Object(a) => Some(a.values().cloned().collect()),
            Type::Map(e) => Some(vec![(**e).clone()]),
            _ => None,
        })?;
        return Some(Type::Map(Box::new(unify(&element_types)?)));
    }
    if known.iter().all(|t| matches!(t, Type::Tuple(_))) {
        let len = |t: &Type| match t {
            Type::Tuple(e) => e.len(),
            _ => 0,
        };
        if known.iter().all(|t| len(t) == len(first)) {
            let mut elements = Vec::new();
            for i in 0..len(first) {
                let at: Vec<Type> = known
                    .iter()
                    .filter_map(|t| match t {
                        Type::Tuple(e) => e.get(i).cloned(),
                        _ => None,
                    })
                    .collect();
                elements.push(unify(&at)?);
            }
            return Some(Type::Tuple(elements));
        }
    }
    if known
        .iter()
        .all(|t| matches!(t, Type::Tuple(_) | Type::List(_)))
    {
        let element_types = elements_of(&|t| match t {
            Type::Tuple(e) => Some(e.clone()),
            Type::List(e) => Some(vec![(**e).clone()]),
            _ => None,
        })?;
        return Some(Type::List(Box::new(unify(&element_types)?)));
    }
    if known.iter().any(|t| matches!(t, Type::List(_)))
        && known
            .iter()
            .all(|t| matches!(t, Type::Tuple(_) | Type::List(_) | Type::Set(_)))
    {
        // A set converts to a list (in no particular order), so a list wins the mix.
        let element_types = elements_of(&|t| match t {
            Type::Tuple(e) => Some(e.clone()),
            Type::List(e) | Type::Set(e) => Some(vec![(**e).clone()]),
            _ => None,
        })?;
        return Some(Type::List(Box::new(unify(&element_types)?)));
    }
    if known
        .iter()
        .all(|t| matches!(t, Type::Set(_) | Type::Tuple(_)))
    {
        let element_types = elements_of(&|t| match t {
            Type::Tuple(e) => Some(e.clone()),
            Type::Set(e) => Some(vec![(**e).clone()]),
            _ => None,
        })?;
        return Some(Type::Set(Box::new(unify(&element_types)?)));
    }
    None
}

#[cfg(test)]
mod tests;
