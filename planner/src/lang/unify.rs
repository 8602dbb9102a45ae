//! cty's type unification (`convert.Unify`): the one type that several values convert to,
//! used where HCL and Terraform need a single result type (conditional branches, the elements
//! of a collection a variable's `any` constraint builds, function results).

use tenantform_proto::value::Type;

/// The one type every type of `types` converts to, as cty unifies them: equal types stay,
/// primitives meet at string when one is a string, objects with different attributes and tuples of different
/// lengths become maps and lists. Null elements (`Dynamic`) take the others' type.
pub(crate) fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    let Some(first) = known.first() else {
        return Some(Type::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let all = |kind: fn(&Type) -> bool| known.iter().all(|t| kind(t));
    if all(|t| matches!(t, Type::String | Type::Number | Type::Bool)) {
        // cty picks one of the given types: only a string takes both numbers and bools.
        return known
            .iter()
            .any(|t| **t == Type::String)
            .then_some(Type::String);
    }
    if all(|t| matches!(t, Type::Object(_))) && known.iter().all(|t| same_attributes(t, first)) {
        return unify_attributes(&known, first);
    }
    if all(|t| matches!(t, Type::Object(_) | Type::Map(_))) {
        return Some(Type::Map(Box::new(unify_elements(&known)?)));
    }
    if all(|t| matches!(t, Type::Tuple(_))) && known.iter().all(|t| same_length(t, first)) {
        return unify_tuples(&known, first);
    }
    if all(|t| matches!(t, Type::Tuple(_) | Type::List(_))) {
        return Some(Type::List(Box::new(unify_elements(&known)?)));
    }
    if known.iter().any(|t| matches!(t, Type::List(_)))
        && all(|t| matches!(t, Type::Tuple(_) | Type::List(_) | Type::Set(_)))
    {
        // A set converts to a list (in no particular order), so a list wins the mix.
        return Some(Type::List(Box::new(unify_elements(&known)?)));
    }
    if all(|t| matches!(t, Type::Set(_) | Type::Tuple(_))) {
        return Some(Type::Set(Box::new(unify_elements(&known)?)));
    }
    None
}

/// Whether two object types have the same attribute names.
fn same_attributes(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Object(a), Type::Object(b)) => a.keys().eq(b.keys()),
        _ => false,
    }
}

/// Whether two tuple types have the same length.
fn same_length(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Tuple(a), Type::Tuple(b)) => a.len() == b.len(),
        _ => false,
    }
}

/// Object types with the same attributes: each attribute's types unified.
fn unify_attributes(known: &[&Type], first: &Type) -> Option<Type> {
    let Type::Object(first) = first else {
        return None;
    };
    let attributes = unify_each(known, first.keys(), |t, name| match t {
        Type::Object(a) => a.get(*name).cloned(),
        _ => None,
    })?;
    Some(Type::Object(
        first.keys().cloned().zip(attributes).collect(),
    ))
}

/// Tuple types of the same length: each position's types unified.
fn unify_tuples(known: &[&Type], first: &Type) -> Option<Type> {
    let Type::Tuple(first) = first else {
        return None;
    };
    let elements = unify_each(known, 0..first.len(), |t, i| match t {
        Type::Tuple(e) => e.get(*i).cloned(),
        _ => None,
    })?;
    Some(Type::Tuple(elements))
}

/// For each of `parts`, the unified type of that part of every type of `known`.
fn unify_each<P>(
    known: &[&Type],
    parts: impl Iterator<Item = P>,
    part_of: impl Fn(&Type, &P) -> Option<Type>,
) -> Option<Vec<Type>> {
    parts
        .map(|part| {
            let types: Vec<Type> = known.iter().filter_map(|t| part_of(t, &part)).collect();
            unify(&types)
        })
        .collect()
}

/// The one type of every element of collections, objects and tuples of `known`.
fn unify_elements(known: &[&Type]) -> Option<Type> {
    let mut element_types = Vec::new();
    for ty in known {
        match ty {
            Type::Object(attributes) => element_types.extend(attributes.values().cloned()),
            Type::Tuple(elements) => element_types.extend(elements.iter().cloned()),
            Type::Map(e) | Type::List(e) | Type::Set(e) => element_types.push((**e).clone()),
            _ => return None,
        }
    }
    unify(&element_types)
}

#[cfg(test)]
mod tests;
