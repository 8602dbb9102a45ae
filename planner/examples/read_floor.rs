//! Times the least a plan's reading of a fleet can cost with the formats as they are: the
//! state file's bytes read and checked as UTF-8, one `serde_json` pass over its resources
//! that keeps each object's attributes as borrowed text (only the fields that name an
//! object parsed), the file's SHA-256, and the YAML event stream of an inventory file, each
//! the best of five runs. Prints one line per step.
//!
//! Usage: `cargo run --release -p tenantform --example read_floor STATE [YAML]`.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use yaml_rust2::parser::{Event, Parser};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The fields of a state document that name its objects.
#[derive(Deserialize)]
struct Document<'a> {
    #[serde(borrow)]
    resources: Vec<Resource<'a>>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(default)]
    module: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    #[serde(borrow)]
    instances: Vec<Instance<'a>>,
}

#[derive(Deserialize)]
struct Instance<'a> {
    #[serde(borrow)]
    attributes: Option<&'a RawValue>,
}

/// The best time of five runs of `step`, and what its last run returned.
fn best_of_five<T>(mut step: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..5 {
        let started = Instant::now();
        let result = step();
        best = best.min(started.elapsed());
        last = Some(result);
    }
    match last {
        Some(result) => (best, result),
        None => unreachable!("five runs were made"),
    }
}

fn read_state(path: &str) -> Result<(), String> {
    let (read, bytes) = best_of_five(|| std::fs::read(path));
    let bytes = bytes.map_err(|err| format!("{path}: {err}"))?;
    println!("read {} bytes: {read:?}", bytes.len());
    let (utf8, text) = best_of_five(|| std::str::from_utf8(&bytes).map(str::len));
    text.map_err(|err| format!("{path}: {err}"))?;
    println!("UTF-8 check: {utf8:?}");
    let text = std::str::from_utf8(&bytes).map_err(|err| err.to_string())?;
    let (pass, objects) = best_of_five(|| {
        serde_json::from_str::<Document<'_>>(text).map(|document| {
            let objects: usize = document.resources.iter().map(|r| r.instances.len()).sum();
            let named = document
                .resources
                .iter()
                .map(|r| r.module.len() + r.type_name.len() + r.name.len())
                .sum::<usize>();
            let attributes = document
                .resources
                .iter()
                .flat_map(|r| &r.instances)
                .filter(|i| i.attributes.is_some())
                .count();
            (objects, named, attributes)
        })
    });
    let (objects, _, _) = objects.map_err(|err| format!("{path}: {err}"))?;
    println!("serde pass over {objects} objects, attributes kept as text: {pass:?}");
    let (hash, _) = best_of_five(|| Sha256::digest(&bytes));
    println!("SHA-256: {hash:?}");
    Ok(())
}

fn read_yaml(path: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("{path}: {err}"))?;
    let (pass, events) = best_of_five(|| {
        let mut parser = Parser::new_from_str(&text);
        let mut events = 0usize;
        loop {
            match parser.next_token() {
                Ok((Event::StreamEnd, _)) => return Ok(events),
                Ok(_) => events += 1,
                Err(err) => return Err(err.to_string()),
            }
        }
    });
    let events = events.map_err(|err| format!("{path}: {err}"))?;
    println!(
        "YAML events of {} bytes ({events} events): {pass:?}",
        text.len()
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(state) = args.first() else {
        eprintln!("usage: read_floor STATE [YAML]");
        std::process::exit(2);
    };
    let result = read_state(state).and_then(|()| match args.get(1) {
        Some(yaml) => read_yaml(yaml),
        None => Ok(()),
    });
    if let Err(err) = result {
        eprintln!("read_floor: {err}");
        std::process::exit(1);
    }
}
