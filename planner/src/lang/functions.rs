//! The built-in function library: one table of functions with their parameters and
//! implementations. Adding a function is adding one entry to [`FUNCTIONS`].
//!
//! Unknown arguments follow cty: unless a function declares otherwise, a call with an
//! argument that is itself unknown returns unknown without running the implementation, while
//! a known collection with unknown elements reaches the implementation, which keeps what it
//! can (`concat([unknown], ["a"])` is a list of two elements). Functions whose result depends
//! on every element (`join`, `distinct`, `jsonencode`, ...) declare [`Function::wholly_known`]
//! and return unknown as soon as anything inside an argument is unknown. A null argument is an
//! error unless the function declares it nullable.

mod builtin_provider;
mod codecs;
mod collections;
mod contextual;
mod conversion;
pub(crate) mod dates;
mod encoding;
mod files;
mod hashing;
pub(crate) mod impure;
mod lazy;
pub(crate) mod marking;
mod network;
mod numeric;
#[cfg(test)]
mod partial_unknowns;
mod sequences;
mod strings;
mod templatestring;
mod text;
pub(crate) mod unicode;
mod yaml;

use std::collections::HashMap;
use std::sync::OnceLock;

use tenantform_proto::value::{Number, Type, Value};

use super::convert::convert;
use super::types::value_kind;

/// A function's implementation: receives exactly the arguments the call passed.
pub(crate) type Implementation = fn(Vec<Value>) -> Result<Value, FunctionError>;

/// A built-in function's signature and implementation.
#[derive(Clone, Copy)]
pub(crate) struct Function {
    pub name: &'static str,
    /// Names of the fixed parameters, all required.
    pub params: &'static [&'static str],
    /// Name of the parameter that takes any number of further arguments, if any.
    pub variadic: Option<&'static str>,
    /// Null arguments reach the implementation instead of being refused.
    pub allow_null: bool,
    /// Unknown arguments reach the implementation instead of making the result unknown.
    pub allow_unknown: bool,
    /// An argument with an unknown value anywhere inside makes the result unknown.
    pub requires_wholly_known: bool,
    pub implementation: Implementation,
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FunctionError {
    /// Argument `index` (counting every argument passed) is unsuitable.
    Argument { index: usize, message: String },
    /// The call as a whole failed.
    Call(String),
}

impl FunctionError {
    pub(crate) fn arg(index: usize, message: impl Into<String>) -> FunctionError {
        FunctionError::Argument {
            index,
            message: message.into(),
        }
    }
}

const fn function(
    name: &'static str,
    params: &'static [&'static str],
    implementation: Implementation,
) -> Function {
    Function {
        name,
        params,
        variadic: None,
        allow_null: false,
        allow_unknown: false,
        requires_wholly_known: false,
        implementation,
    }
}

impl Function {
    const fn variadic(mut self, name: &'static str) -> Function {
        self.variadic = Some(name);
        self
    }

    const fn nullable(mut self) -> Function {
        self.allow_null = true;
        self
    }

    const fn with_unknowns(mut self) -> Function {
        self.allow_unknown = true;
        self
    }

    const fn wholly_known(mut self) -> Function {
        self.requires_wholly_known = true;
        self
    }
}

/// Every built-in function. `try`, `can` and `issensitive` take expressions and are
/// evaluated by [`lazy`]; their entries here only name them.
pub(crate) static FUNCTIONS: &[Function] = &[
    // Strings.
    function("lower", &["str"], strings::lower),
    function("upper", &["str"], strings::upper),
    function("format", &["format"], strings::format)
        .variadic("args")
        .nullable()
        .wholly_known(),
    function("formatlist", &["format"], text::formatlist)
        .variadic("args")
        .nullable(),
    function("join", &["separator"], strings::join)
        .variadic("lists")
        .wholly_known(),
    function("split", &["separator", "str"], strings::split),
    function("replace", &["str", "substr", "replace"], strings::replace),
    function("trimspace", &["str"], strings::trimspace),
    function("substr", &["str", "offset", "length"], strings::substr),
    function("chomp", &["str"], text::chomp),
    function("startswith", &["str", "prefix"], text::startswith),
    function("endswith", &["str", "suffix"], text::endswith),
    function("strcontains", &["str", "substr"], text::strcontains),
    function("strrev", &["str"], text::strrev),
    function("title", &["str"], text::title),
    function("trim", &["str", "cutset"], text::trim),
    function("trimprefix", &["str", "prefix"], text::trimprefix),
    function("trimsuffix", &["str", "suffix"], text::trimsuffix),
    function("indent", &["spaces", "str"], text::indent),
    function("regex", &["pattern", "string"], text::regex),
    function("regexall", &["pattern", "string"], text::regexall),
    // Collections.
    function("length", &["value"], collections::length).with_unknowns(),
    function("lookup", &["inputMap", "key"], collections::lookup)
        .variadic("default")
        .nullable()
        .with_unknowns(),
    function("merge", &[], collections::merge)
        .variadic("maps")
        .nullable(),
    function("concat", &[], collections::concat).variadic("seqs"),
    function("contains", &["list", "value"], collections::contains),
    function("keys", &["inputMap"], collections::keys),
    function("values", &["mapping"], collections::values),
    function("coalesce", &[], collections::coalesce)
        .variadic("vals")
        .nullable()
        .with_unknowns(),
    function("element", &["list", "index"], collections::element),
    function("flatten", &["list"], collections::flatten),
    function("distinct", &["list"], collections::distinct).wholly_known(),
    function("sort", &["list"], collections::sort),
    function("alltrue", &["list"], sequences::alltrue),
    function("anytrue", &["list"], sequences::anytrue),
    function("chunklist", &["list", "size"], sequences::chunklist),
    function("coalescelist", &[], sequences::coalescelist)
        .variadic("vals")
        .nullable()
        .with_unknowns(),
    function("compact", &["list"], sequences::compact).wholly_known(),
    function("index", &["list", "value"], sequences::index),
    function(
        "matchkeys",
        &["values", "keys", "searchset"],
        sequences::matchkeys,
    ),
    function("one", &["list"], sequences::one),
    function("range", &[], sequences::range).variadic("params"),
    function("reverse", &["list"], sequences::reverse),
    function(
        "slice",
        &["list", "start_index", "end_index"],
        sequences::slice,
    ),
    function("sum", &["list"], sequences::sum).wholly_known(),
    function("transpose", &["values"], sequences::transpose).wholly_known(),
    function("zipmap", &["keys", "values"], sequences::zipmap),
    function(
        "setintersection",
        &["first_set"],
        sequences::setintersection,
    )
    .variadic("other_sets")
    .wholly_known(),
    function("setproduct", &[], sequences::setproduct)
        .variadic("sets")
        .wholly_known(),
    function("setsubtract", &["a", "b"], sequences::setsubtract).wholly_known(),
    function("setunion", &["first_set"], sequences::setunion).variadic("other_sets"),
    // Numbers.
    function("min", &[], numeric::min).variadic("numbers"),
    function("max", &[], numeric::max).variadic("numbers"),
    function("abs", &["num"], numeric::abs),
    function("ceil", &["num"], numeric::ceil),
    function("floor", &["num"], numeric::floor),
    function("log", &["num", "base"], numeric::log),
    function("pow", &["num", "power"], numeric::pow),
    function("signum", &["num"], numeric::signum),
    function("parseint", &["number", "base"], numeric::parseint),
    // Type conversions and marks.
    function("tostring", &["v"], conversion::tostring).nullable(),
    function("tonumber", &["v"], conversion::tonumber).nullable(),
    function("tobool", &["v"], conversion::tobool).nullable(),
    function("tolist", &["v"], conversion::tolist).nullable(),
    function("toset", &["v"], conversion::toset).nullable(),
    function("tomap", &["v"], conversion::tomap).nullable(),
    function("sensitive", &["value"], conversion::identity)
        .nullable()
        .with_unknowns(),
    function("nonsensitive", &["value"], conversion::identity)
        .nullable()
        .with_unknowns(),
    function("ephemeralasnull", &["value"], conversion::identity)
        .nullable()
        .with_unknowns(),
    function("try", &[], conversion::identity).variadic("expressions"),
    function("can", &["expression"], conversion::identity),
    function("issensitive", &["value"], conversion::identity),
    // Encodings.
    function("jsonencode", &["val"], encoding::jsonencode)
        .nullable()
        .wholly_known(),
    function("jsondecode", &["str"], encoding::jsondecode),
    function("yamlencode", &["value"], yaml::yamlencode)
        .nullable()
        .wholly_known(),
    function("yamldecode", &["src"], yaml::yamldecode),
    function("base64encode", &["str"], codecs::base64encode),
    function("base64decode", &["str"], codecs::base64decode),
    function("base64gzip", &["str"], codecs::base64gzip),
    function(
        "textencodebase64",
        &["string", "encoding"],
        codecs::textencodebase64,
    ),
    function(
        "textdecodebase64",
        &["source", "encoding"],
        codecs::textdecodebase64,
    ),
    function("urlencode", &["str"], codecs::urlencode),
    function("csvdecode", &["str"], codecs::csvdecode),
    // Hashes and identifiers.
    function("md5", &["str"], hashing::md5),
    function("sha1", &["str"], hashing::sha1),
    function("sha256", &["str"], hashing::sha256),
    function("sha512", &["str"], hashing::sha512),
    function("base64sha256", &["str"], hashing::base64sha256),
    function("base64sha512", &["str"], hashing::base64sha512),
    function("uuid", &[], hashing::uuid),
    function("uuidv5", &["namespace", "name"], hashing::uuidv5),
    function("bcrypt", &["str"], hashing::bcrypt).variadic("cost"),
    // Files.
    function("file", &["path"], files::file),
    function("fileexists", &["path"], files::fileexists),
    function("fileset", &["path", "pattern"], files::fileset),
    function("filebase64", &["path"], files::filebase64),
    function("filemd5", &["path"], files::filemd5),
    function("filesha1", &["path"], files::filesha1),
    function("filesha256", &["path"], files::filesha256),
    function("filesha512", &["path"], files::filesha512),
    function("filebase64sha256", &["path"], files::filebase64sha256),
    function("filebase64sha512", &["path"], files::filebase64sha512),
    function("templatefile", &["path", "vars"], files::templatefile).wholly_known(),
    function("abspath", &["path"], files::abspath),
    function("dirname", &["path"], files::dirname),
    function("basename", &["path"], files::basename),
    function("pathexpand", &["path"], files::pathexpand),
    // Dates.
    function("formatdate", &["format", "time"], dates::formatdate),
    function("timeadd", &["timestamp", "duration"], dates::timeadd),
    function("timecmp", &["timestamp_a", "timestamp_b"], dates::timecmp),
    function("timestamp", &[], dates::timestamp),
    // Terraform's built-in provider, callable where a module declares it.
    function(
        "provider::terraform::encode_tfvars",
        &["value"],
        builtin_provider::encode_tfvars,
    )
    .wholly_known(),
    function(
        "provider::terraform::decode_tfvars",
        &["src"],
        builtin_provider::decode_tfvars,
    ),
    function(
        "provider::terraform::encode_expr",
        &["value"],
        builtin_provider::encode_expr,
    )
    .wholly_known(),
    // IP networks.
    function("cidrhost", &["prefix", "hostnum"], network::cidrhost),
    function("cidrnetmask", &["prefix"], network::cidrnetmask),
    function(
        "cidrsubnet",
        &["prefix", "newbits", "netnum"],
        network::cidrsubnet,
    ),
    function("cidrsubnets", &["prefix"], network::cidrsubnets).variadic("newbits"),
];

/// The function named `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static Function>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| FUNCTIONS.iter().map(|f| (f.name, f)).collect())
        .get(name)
        .copied()
}

/// Calls `function` with arguments whose count was already checked against its signature.
pub(crate) fn call(function: &Function, args: Vec<Value>) -> Result<Value, FunctionError> {
    let first_null = args.iter().position(Value::is_null);
    if let (false, Some(index)) = (function.allow_null, first_null) {
        return Err(FunctionError::arg(index, "argument must not be null"));
    }
    if !function.allow_unknown && args.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    if function.requires_wholly_known && !args.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    (function.implementation)(args)
}

/// Argument `index` as a string (numbers and bools convert).
pub(crate) fn string_arg(args: &[Value], index: usize) -> Result<String, FunctionError> {
    match args.get(index).cloned().map(|v| convert(v, &Type::String)) {
        Some(Ok(Value::String(s))) => Ok(s),
        _ => Err(FunctionError::arg(index, "string required")),
    }
}

/// Argument `index` as a number (numeric strings convert).
pub(crate) fn number_arg(args: &[Value], index: usize) -> Result<Number, FunctionError> {
    match args.get(index).cloned().map(|v| convert(v, &Type::Number)) {
        Some(Ok(Value::Number(n))) => Ok(n),
        _ => Err(FunctionError::arg(index, "a number is required")),
    }
}

/// Argument `index` as a whole number.
pub(crate) fn integer_arg(args: &[Value], index: usize) -> Result<i64, FunctionError> {
    number_arg(args, index)?
        .as_i64()
        .ok_or_else(|| FunctionError::arg(index, "value must be a whole number"))
}

/// The elements of argument `index`, which must be a list, tuple or set.
/// The elements of a `list(any)` or `set(any)` parameter (`collection` names which): a tuple
/// is converted first, as cty converts arguments, so its elements take the one type they
/// unify to (`distinct([1, "1"])` compares two strings).
pub(crate) use builtin_provider::builtin_provider_names;

pub(crate) fn unified_elements(
    args: &[Value],
    index: usize,
    collection: &str,
) -> Result<Vec<Value>, FunctionError> {
    let items = sequence_arg(args, index)?;
    if !matches!(args.get(index), Some(Value::Tuple(_))) {
        return Ok(items);
    }
    let types: Vec<Type> = items.iter().map(super::types::type_of).collect();
    let Some(ty) = super::unify::unify(&types) else {
        return Err(FunctionError::arg(
            index,
            format!("all {collection} elements must have the same type"),
        ));
    };
    items
        .into_iter()
        .map(|item| convert(item, &ty).map_err(|e| FunctionError::arg(index, e)))
        .collect()
}

pub(crate) fn sequence_arg(args: &[Value], index: usize) -> Result<Vec<Value>, FunctionError> {
    match args.get(index) {
        Some(Value::List(items) | Value::Tuple(items) | Value::Set(items)) => Ok(items.clone()),
        Some(other) => Err(FunctionError::arg(
            index,
            format!(
                "list of any single type required, got {}",
                value_kind(other)
            ),
        )),
        None => Err(FunctionError::arg(index, "list required")),
    }
}
