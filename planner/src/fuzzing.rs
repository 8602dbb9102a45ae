//! Entry points for the fuzz targets in `fuzz/` and their regression tests: each takes
//! arbitrary bytes, runs one reader of untrusted input, and must never panic. Properties
//! the fuzz targets check besides (formatting is idempotent, values survive a round trip)
//! are returned as `Err` with a description, so that the targets and the tests share them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenantform_proto::value::{
    Type, Value, decode_json, decode_msgpack, encode_json, encode_msgpack, parse_type_json,
};

use crate::config::load_sources;
use crate::engine::{PlanHooks, PlanOptions, plan_with_hooks, validate_in_workspace};
use crate::format::{format_source, lexer};
use crate::plan::PlanMode;
use crate::plan::planfile::PlanFile;
use crate::providers::Providers;
use crate::state::{State, format_v4};
use crate::variables::{VariableSources, resolve};

#[cfg(test)]
mod tests;

/// The directory the fuzzed configuration pretends to live in: it does not exist, so module
/// calls and variable files find nothing on disk.
const FUZZ_ROOT: &str = "/nonexistent/tenantform-fuzz";

/// Loads `data` as the one file `main.tf` of a root module, then resolves the variables
/// (defaults only), validates the configuration and plans it against an empty state with
/// no providers: locals, outputs, variable defaults and validations, checks and every
/// expression they use are evaluated.
pub fn config_eval(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    on_program_stack(|| load_and_plan(source));
}

fn load_and_plan(source: &str) {
    let files = BTreeMap::from([("main.tf".to_string(), source.to_string())]);
    let Ok(config) = load_sources(Path::new(FUZZ_ROOT), files) else {
        return;
    };
    let inputs = VariableSources {
        cwd: PathBuf::from(FUZZ_ROOT),
        ..VariableSources::default()
    };
    let Ok(variables) = resolve(&config, &inputs) else {
        return;
    };
    let providers = Providers::default();
    let options = PlanOptions {
        show_only: false,
        mode: PlanMode::Normal,
        refresh: true,
        parallelism: 1,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: "default".into(),
        sweep: None,
        scope: Default::default(),
    };
    block_on(async {
        let diags = validate_in_workspace(&config, &providers, "default").await;
        if diags.has_errors() {
            return;
        }
        let planned = plan_with_hooks(
            &config,
            &State::new(),
            &providers,
            &variables.values,
            &options,
            &SilentPlan,
        )
        .await;
        drop(planned);
    });
}

/// Runs `work` on a thread with the program's stack, as the command line runs it; a panic
/// in `work` is carried over to the caller.
fn on_program_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(crate::EVALUATION_STACK)
            .spawn_scoped(scope, work)
            .ok()?;
        match worker.join() {
            Ok(result) => Some(result),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

/// Planning without progress reports.
struct SilentPlan;

impl PlanHooks for SilentPlan {}

/// Runs `work` on a single-threaded runtime of this thread, built once.
fn block_on(work: impl std::future::Future<Output = ()>) {
    thread_local! {
        static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok();
    }
    RUNTIME.with(|runtime| {
        if let Some(runtime) = runtime {
            runtime.block_on(work);
        }
    });
}

/// Formats `data` as `fmt` does; when it formats, checks that formatting the result changes
/// nothing and that the text of the tokens is that of the source after Terraform's
/// normalizations, with only the spaces between tokens changed. The text is compared, not
/// the token kinds: like `terraform fmt`, the formatter writes `1 . 1` (a legacy index of a
/// number) as `1.1`, which reads back as one number token.
pub fn fmt(data: &[u8]) -> Result<(), String> {
    let Ok(source) = std::str::from_utf8(data) else {
        return Ok(());
    };
    on_program_stack(|| format_checked(source)).unwrap_or(Ok(()))
}

fn format_checked(source: &str) -> Result<(), String> {
    let Ok(formatted) = format_source(source) else {
        return Ok(());
    };
    let again = format_source(&formatted)
        .map_err(|err| format!("the formatted text does not format again: {err}"))?;
    if again != formatted {
        return Err(format!(
            "formatting is not idempotent: {}",
            first_difference(&formatted, &again)
        ));
    }
    let before = token_text(source.strip_prefix('\u{feff}').unwrap_or(source), true)?;
    let after = token_text(&formatted, false)?;
    if before != after {
        return Err(format!(
            "formatting changed the tokens: {}",
            first_difference(&before, &after)
        ));
    }
    Ok(())
}

/// The text of every token but newlines, run together, after the normalizations when
/// `normalized`.
fn token_text(source: &str, normalized: bool) -> Result<String, String> {
    let lexed = lexer::lex(source).map_err(|err| format!("the lexer refused the text: {err}"))?;
    let tokens = if normalized {
        crate::format::normalize::normalize(lexed.tokens)
    } else {
        lexed.tokens
    };
    Ok(tokens
        .into_iter()
        .filter(|token| token.kind != crate::format::token::TokenKind::Newline)
        .map(|token| token.text)
        .collect())
}

/// Where two texts first differ, with some context of each.
fn first_difference(first: &str, second: &str) -> String {
    let at = first
        .char_indices()
        .zip(second.chars())
        .find(|((_, a), b)| a != b)
        .map_or(first.len().min(second.len()), |((at, _), _)| at);
    let context = |text: &str| -> String {
        text.get(at.saturating_sub(40)..)
            .unwrap_or(text)
            .chars()
            .take(80)
            .collect()
    };
    format!(
        "at byte {at}:\nfirst:  {:?}\nsecond: {:?}",
        context(first),
        context(second)
    )
}

/// Reads `data` as a state file; when it reads, writing it and reading it again must give
/// the same bytes.
pub fn state_v4(data: &[u8]) -> Result<(), String> {
    let Ok(Some(state)) = format_v4::parse(data, "fuzz.tfstate") else {
        return Ok(());
    };
    let written = format_v4::serialize(&state);
    let reread = match format_v4::parse(&written, "fuzz.tfstate") {
        Ok(Some(reread)) => reread,
        Ok(None) => return Err("the written state reads as no state".into()),
        Err(err) => return Err(format!("the written state does not read: {err}")),
    };
    let rewritten = format_v4::serialize(&reread);
    if rewritten != written {
        return Err(format!(
            "state does not survive a round trip:\nfirst:  {}\nsecond: {}",
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&rewritten)
        ));
    }
    Ok(())
}

/// Reads `data` as a saved plan file and rebuilds the plan; when it does, saving the plan
/// and reading it back must give the same file.
pub fn plan_file(data: &[u8]) -> Result<(), String> {
    let Ok(file) = PlanFile::from_bytes(data, "fuzz.tfplan") else {
        return Ok(());
    };
    let Ok(plan) = file.to_plan("fuzz.tfplan") else {
        return Ok(());
    };
    let saved = PlanFile::new(&plan, file.sources.clone()).to_bytes();
    let reread = PlanFile::from_bytes(&saved, "fuzz.tfplan")
        .map_err(|err| format!("the saved plan does not read: {err}"))?;
    let replanned = reread
        .to_plan("fuzz.tfplan")
        .map_err(|err| format!("the saved plan does not rebuild: {err}"))?;
    let resaved = PlanFile::new(&replanned, reread.sources.clone()).to_bytes();
    if resaved != saved {
        return Err(format!(
            "the plan does not survive a round trip:\nfirst:  {}\nsecond: {}",
            String::from_utf8_lossy(&saved),
            String::from_utf8_lossy(&resaved)
        ));
    }
    Ok(())
}

/// Decodes a value with a type, both taken from `data`: the first byte chooses the codec
/// (even: msgpack, odd: JSON), the bytes up to the first newline are the type in
/// Terraform's JSON type syntax (`"dynamic"` when they are not one), and the rest is the
/// encoded value. A value that decodes must encode again and decode to itself.
pub fn values(data: &[u8]) -> Result<(), String> {
    let Some((&selector, rest)) = data.split_first() else {
        return Ok(());
    };
    let (type_bytes, payload) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&[][..], rest),
    };
    let ty = parse_type_json(type_bytes).unwrap_or(Type::Dynamic);
    if selector % 2 == 0 {
        let Ok(value) = decode_msgpack(payload, &ty) else {
            return Ok(());
        };
        let encoded = encode_msgpack(&value, &ty)
            .map_err(|err| format!("a decoded value does not encode: {err}: {value:?}"))?;
        let decoded = decode_msgpack(&encoded, &ty)
            .map_err(|err| format!("an encoded value does not decode: {err}: {value:?}"))?;
        same_value("msgpack", &value, &decoded)?;
        if value.is_wholly_known() {
            json_round_trip(&value, &ty)?;
        }
    } else {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(payload) else {
            return Ok(());
        };
        let Ok(value) = decode_json(&json, &ty) else {
            return Ok(());
        };
        json_round_trip(&value, &ty)?;
    }
    Ok(())
}

/// JSON holds numbers as decimal text, the shortest that denotes the number at its own
/// precision, and reads them back at cty's 512 bits, as Terraform does: a number written
/// once may read back as a slightly different one (`2^732 * 23` as a float64), so the
/// property is that the JSON written is a fixed point after one round trip.
fn json_round_trip(value: &Value, ty: &Type) -> Result<(), String> {
    let encoded = encode_json(value, ty)
        .map_err(|err| format!("a decoded value does not encode as JSON: {err}: {value:?}"))?;
    let decoded = decode_json(&encoded, ty)
        .map_err(|err| format!("JSON written does not decode: {err}: {encoded}"))?;
    let reencoded = encode_json(&decoded, ty)
        .map_err(|err| format!("a value read back does not encode: {err}: {decoded:?}"))?;
    if reencoded == encoded {
        Ok(())
    } else {
        Err(format!(
            "a JSON round trip changed the value:\nfirst:  {encoded}\nsecond: {reencoded}"
        ))
    }
}

fn same_value(codec: &str, first: &Value, second: &Value) -> Result<(), String> {
    if first == second {
        Ok(())
    } else {
        Err(format!(
            "a {codec} round trip changed the value:\nbefore: {first:?}\nafter:  {second:?}"
        ))
    }
}
