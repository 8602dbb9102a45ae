//! Typed addresses of resources and their instances, with Terraform's textual syntax:
//! `tenant.acme`, `data.tenants.all`, `tenant_user.admin[0]`, `module.t["acme"].tenant.this`.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ResourceMode {
    Managed,
    Data,
}

/// The key that tells the instances of one resource (or module call) apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum InstanceKey {
    None,
    Int(i64),
    Str(String),
}

/// One step of a module path: `module.NAME[KEY]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ModuleStep {
    pub name: String,
    pub key: InstanceKey,
}

/// A resource block's address within the root module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ResourceAddr {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
}

/// A resource instance's absolute address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct InstanceAddr {
    pub module: Vec<ModuleStep>,
    pub resource: ResourceAddr,
    pub key: InstanceKey,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid address {input:?}: {reason}")]
pub(crate) struct AddrParseError {
    pub input: String,
    pub reason: String,
}

impl ResourceAddr {
    pub(crate) fn managed(type_name: &str, name: &str) -> ResourceAddr {
        ResourceAddr {
            mode: ResourceMode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub(crate) fn data(type_name: &str, name: &str) -> ResourceAddr {
        ResourceAddr {
            mode: ResourceMode::Data,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    /// The provider's local name implied by the type: the part before the first `_`.
    pub(crate) fn implied_provider(&self) -> &str {
        self.type_name.split('_').next().unwrap_or(&self.type_name)
    }
}

impl InstanceKey {
    /// The key as the value `count.index` or `each.key` has.
    pub(crate) fn to_value(&self) -> tenantform_proto::value::Value {
        use tenantform_proto::value::{Number, Value};
        match self {
            InstanceKey::None => Value::Null,
            InstanceKey::Int(i) => {
                Value::Number(Number::from_u64(u64::try_from(*i).unwrap_or_default()))
            }
            InstanceKey::Str(s) => Value::string(s.clone()),
        }
    }
}

/// Terraform's order of resource instances (`AbsResourceInstance.Less`): shorter module paths
/// first, then module steps by name and key, then data resources before managed ones, type,
/// name and key (integer keys before string keys).
pub(crate) fn terraform_order(a: &InstanceAddr, b: &InstanceAddr) -> std::cmp::Ordering {
    let mode_rank = |addr: &InstanceAddr| match addr.resource.mode {
        ResourceMode::Data => 0,
        ResourceMode::Managed => 1,
    };
    a.module
        .len()
        .cmp(&b.module.len())
        .then_with(|| a.module.cmp(&b.module))
        .then_with(|| mode_rank(a).cmp(&mode_rank(b)))
        .then_with(|| a.resource.type_name.cmp(&b.resource.type_name))
        .then_with(|| a.resource.name.cmp(&b.resource.name))
        .then_with(|| a.key.cmp(&b.key))
}

/// `module.a["x"].module.b` for a module instance path, empty for the root module.
pub(crate) fn module_instance_string(module: &[ModuleStep]) -> String {
    let steps: Vec<String> = module
        .iter()
        .map(|step| format!("module.{}{}", step.name, step.key))
        .collect();
    steps.join(".")
}

/// A module's static path (`module.a.module.b`) as written in configuration addresses.
pub(crate) fn module_path_string(path: &[String]) -> String {
    let steps: Vec<String> = path.iter().map(|name| format!("module.{name}")).collect();
    steps.join(".")
}

/// The static module path of a module instance path (keys dropped).
pub(crate) fn static_module_path(module: &[ModuleStep]) -> Vec<String> {
    module.iter().map(|step| step.name.clone()).collect()
}

/// A resource's configuration address: its static module path and the resource, with no
/// instance keys (`module.t.tenant_user.admin`), as state `dependencies` record them.
pub(crate) fn config_resource_string(path: &[String], resource: &ResourceAddr) -> String {
    if path.is_empty() {
        resource.to_string()
    } else {
        format!("{}.{resource}", module_path_string(path))
    }
}

/// A resource's configuration address (`module.t.tenant_user.admin`): what state
/// `dependencies` and a plan's changed resources name, with no instance keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ConfigResourceAddr(String);

impl ConfigResourceAddr {
    /// The address of `resource` in the module at static path `path`.
    pub(crate) fn new(path: &[String], resource: &ResourceAddr) -> ConfigResourceAddr {
        ConfigResourceAddr(config_resource_string(path, resource))
    }

    /// An address as a state or plan file records it.
    pub(crate) fn from_recorded(recorded: &str) -> ConfigResourceAddr {
        ConfigResourceAddr(recorded.to_string())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ConfigResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lets sets and maps keyed by address be queried with a stored `String` address.
impl std::borrow::Borrow<str> for ConfigResourceAddr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl InstanceAddr {
    /// This instance's resource configuration address (no keys), as text.
    #[cfg(test)]
    pub(crate) fn config_resource_string(&self) -> String {
        self.config_resource().into_string()
    }

    /// This instance's resource configuration address (no keys).
    pub(crate) fn config_resource(&self) -> ConfigResourceAddr {
        ConfigResourceAddr::new(&static_module_path(&self.module), &self.resource)
    }

    /// The resource address within its module instance, with the key (`tenant.t["a"]`).
    #[cfg(test)]
    pub(crate) fn local_string(&self) -> String {
        format!("{}{}", self.resource, self.key)
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            // Most keys need no escape: written as they are, without an allocation.
            InstanceKey::Str(s) if !needs_escape(s) => write!(f, "[\"{s}\"]"),
            InstanceKey::Str(s) => write!(f, "[{}]", hcl_quoted(s)),
        }
    }
}

/// Whether [`hcl_quoted`] changes anything in `key` but the quotes around it.
fn needs_escape(key: &str) -> bool {
    !key.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'$' | b'%'))
}

/// A string key quoted as Terraform writes it in addresses (`toHCLQuotedString`): HCL's
/// escapes, template introducers doubled, unprintable characters as `\uXXXX` or
/// `\UXXXXXXXX`, exactly as `fmt` writes a block label, so that the address reads back as the
/// same key.
fn hcl_quoted(key: &str) -> String {
    format!("\"{}\"", crate::format::escape_label(key))
}

/// Reads a key quoted by [`hcl_quoted`] (or by Terraform) from the start of `text`: the key
/// and the rest of `text` after its closing quote.
fn hcl_unquoted(text: &str) -> Result<(String, &str), String> {
    let body = text
        .strip_prefix('"')
        .ok_or("a string key must be quoted")?;
    let mut escaped = false;
    let closing = body.char_indices().find_map(|(at, c)| {
        let closes = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        closes.then_some(at)
    });
    let closing = closing.ok_or("unclosed string key")?;
    let key = crate::format::unescape_label(&body[..closing])
        .ok_or_else(|| format!("invalid escape in the key {:?}", &body[..closing]))?;
    Ok((key, &body[closing + 1..]))
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == ResourceMode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.module {
            write!(f, "module.{}{}.", step.name, step.key)?;
        }
        write!(f, "{}{}", self.resource, self.key)
    }
}

impl FromStr for InstanceAddr {
    type Err = AddrParseError;

    fn from_str(input: &str) -> Result<InstanceAddr, AddrParseError> {
        let fail = |reason: &str| AddrParseError {
            input: input.into(),
            reason: reason.into(),
        };
        let mut rest = input.trim();
        let mut module = Vec::new();
        while let Some(after) = rest.strip_prefix("module.") {
            let (name, key, tail) = split_name_key(after).map_err(|r| fail(&r))?;
            module.push(ModuleStep { name, key });
            rest = tail
                .strip_prefix('.')
                .ok_or_else(|| fail("expected '.' after module"))?;
        }
        let (mode, rest) = match rest.strip_prefix("data.") {
            Some(r) => (ResourceMode::Data, r),
            None => (ResourceMode::Managed, rest),
        };
        let (type_name, rest) = rest
            .split_once('.')
            .ok_or_else(|| fail("expected TYPE.NAME"))?;
        if !is_identifier(type_name) {
            return Err(fail("resource type must be an identifier"));
        }
        let (name, key, tail) = split_name_key(rest).map_err(|r| fail(&r))?;
        if !tail.is_empty() {
            return Err(fail("unexpected text after the instance key"));
        }
        Ok(InstanceAddr {
            module,
            resource: ResourceAddr {
                mode,
                type_name: type_name.into(),
                name,
            },
            key,
        })
    }
}

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(input: &str) -> Result<ResourceAddr, AddrParseError> {
        let inst: InstanceAddr = input.parse()?;
        if !inst.module.is_empty() || inst.key != InstanceKey::None {
            return Err(AddrParseError {
                input: input.into(),
                reason: "expected a resource address without module or key".into(),
            });
        }
        Ok(inst.resource)
    }
}

use crate::format::literal::is_identifier;

/// Splits `NAME[KEY]REST` into its parts; the key is optional.
impl ModuleStep {
    /// Reads the step at the start of `text` (after `module.`: `NAME[KEY]`); returns it and
    /// the rest of `text`.
    pub(crate) fn read_prefix(text: &str) -> Result<(ModuleStep, &str), String> {
        let (name, key, rest) = split_name_key(text)?;
        Ok((ModuleStep { name, key }, rest))
    }
}

fn split_name_key(s: &str) -> Result<(String, InstanceKey, &str), String> {
    let end = s.find(['[', '.']).unwrap_or(s.len());
    let name = &s[..end];
    if !is_identifier(name) {
        return Err(format!("{name:?} is not a valid name"));
    }
    let rest = &s[end..];
    let Some(inner) = rest.strip_prefix('[') else {
        return Ok((name.into(), InstanceKey::None, rest));
    };
    if inner.starts_with('"') {
        let (key, after) = hcl_unquoted(inner)?;
        let rest = after.strip_prefix(']').ok_or("unclosed '['")?;
        return Ok((name.into(), InstanceKey::Str(key), rest));
    }
    let close = inner.find(']').ok_or("unclosed '['")?;
    let raw = &inner[..close];
    let key = InstanceKey::Int(
        raw.parse()
            .map_err(|_| format!("invalid instance key {raw}"))?,
    );
    Ok((name.into(), key, &inner[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in [
            "tenant.acme",
            "data.tenants.all",
            "tenant_user.admin[0]",
            "module.t[\"acme\"].tenant_user.admin[\"a@x\"]",
            "module.t[\"acme\"].module.u[2].data.tenants.all",
            // Keys with escapes, written as Terraform writes them (found by fuzzing: a key
            // holding a control character did not read back).
            "tenant.a[\"a\\\"b\\\\c\\nd\\u007fe]f\"]",
            "tenant.a[\"$${x} %%{y} $x\"]",
            // Unprintable characters that are not controls (a soft hyphen, a line separator,
            // a tag character beyond the BMP) are escaped as Go's `unicode.IsPrint`
            // tells.
            "tenant.a[\"a\\u00adb\\u2028c\\U000e0001\"]",
        ] {
            let addr: InstanceAddr = text.parse().unwrap();
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn bad_addresses_are_refused() {
        for text in [
            "tenant",
            "tenant.",
            "1x.y",
            "tenant.a[",
            "tenant.a[x]",
            "tenant.a.b",
        ] {
            assert!(text.parse::<InstanceAddr>().is_err(), "{text} parsed");
        }
    }

    #[test]
    fn configuration_addresses_drop_keys() {
        let addr: InstanceAddr = "module.t[\"a\"].module.u[1].tenant.x[0]".parse().unwrap();
        assert_eq!(addr.config_resource_string(), "module.t.module.u.tenant.x");
        assert_eq!(addr.local_string(), "tenant.x[0]");
        assert_eq!(
            module_instance_string(&addr.module),
            "module.t[\"a\"].module.u[1]"
        );
    }

    #[test]
    fn implied_provider_is_the_type_prefix() {
        assert_eq!(
            ResourceAddr::managed("tenant_user", "a").implied_provider(),
            "tenant"
        );
        assert_eq!(
            ResourceAddr::managed("tenant", "a").implied_provider(),
            "tenant"
        );
    }
}
