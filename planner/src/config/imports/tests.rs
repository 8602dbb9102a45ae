use std::collections::BTreeMap;
use std::path::Path;

use crate::addrs::ResourceAddr;
use crate::config::{Config, KeyExpr, load_sources};

fn load(files: &[(&str, &str)]) -> Result<Config, Vec<String>> {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    load_sources(Path::new("."), files).map_err(|diags| {
        diags
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect()
    })
}

fn errors(text: &str) -> Vec<String> {
    load(&[("main.tf", text)]).err().unwrap_or_default()
}

#[test]
fn an_import_block_is_decoded_with_its_target_and_keys() {
    let config = load(&[(
        "main.tf",
        "import {\n  for_each = toset([\"a\"])\n  to = module.t[each.key].tenant.this[0]\n  id = \
         each.key\n}\nimport {\n  to = tenant.a\n  id = \"a\"\n  provider = tenant\n}\n",
    )])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let [import, other] = config.imports.as_slice() else {
        panic!("two imports: {:?}", config.imports);
    };
    assert_eq!(import.to.module_path(), ["t"]);
    assert_eq!(import.to.resource, ResourceAddr::managed("tenant", "this"));
    assert!(matches!(import.to.modules[0].1, Some(KeyExpr::Expr(_))));
    assert!(matches!(import.to.key, Some(KeyExpr::Expr(_))));
    assert!(import.for_each.is_some() && import.provider_range.is_none());
    assert!(other.provider_range.is_some() && other.to.key.is_none());
    assert_eq!(import.to.config_string(), "module.t.tenant.this");
}

#[test]
fn what_tenantform_does_not_support_is_refused_by_name() {
    let identity = errors("import {\n  to = tenant.a\n  identity = { slug = \"a\" }\n}\n");
    assert!(
        identity[0].contains("resource identity is not supported by tenantform yet"),
        "{identity:?}"
    );
    let alias = errors("import {\n  to = tenant.a\n  id = \"a\"\n  provider = tenant.eu\n}\n");
    assert!(
        alias[0].contains("\"tenant.eu\"") && alias[0].contains("aliases are not supported"),
        "{alias:?}"
    );
}

#[test]
fn terraforms_load_time_errors() {
    let cases = [
        (
            "import {\n  to = data.tenant.a\n  id = \"a\"\n}\n",
            "Invalid import address: Only managed resources can be imported.",
        ),
        (
            "import {\n  to = tenant.a\n}\n",
            "Invalid import block: At least one of 'id' or 'identity' must be specified.",
        ),
        (
            "import {\n  id = \"a\"\n}\n",
            "Missing required argument: The argument \"to\" is required",
        ),
        (
            "import {\n  to = tenant.a\n  id = \"a\"\n}\nimport {\n  to = tenant.a\n  id = \"b\"\n}\n",
            "Duplicate import configuration for \"tenant.a\": An import block for the resource \
             \"tenant.a\" was already declared at main.tf:1,1-7.",
        ),
        (
            "import {\n  to = module.t.tenant.a\n  id = \"a\"\n  provider = tenant\n}\n",
            "Invalid import provider argument: The provider argument can only be specified in \
             import blocks that will generate configuration.",
        ),
    ];
    for (text, expected) in cases {
        let found = errors(text);
        assert!(
            found.iter().any(|e| e.starts_with(expected)),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn import_blocks_belong_to_the_root_module() {
    let found = load(&[
        ("main.tf", "module \"t\" {\n  source = \"./m\"\n}\n"),
        (
            "m/main.tf",
            "import {\n  to = tenant.a\n  id = \"a\"\n}\nimport {\n  to = tenant.b\n  id = \"b\"\n}\n",
        ),
    ])
    .err()
    .unwrap_or_default();
    assert_eq!(
        found,
        [
            "Invalid import configuration: An import block was detected in \"module.t\". Import \
          blocks are only allowed in the root module."
        ],
        "reported once per module"
    );
}
