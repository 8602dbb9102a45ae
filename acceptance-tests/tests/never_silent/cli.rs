//! The command line: subcommands and flags as Terraform 1.15.5's `-help` lists them.

use super::*;

/// A subcommand path (`plan`, `state list`) and the flags its `-help` lists.
#[derive(Debug)]
struct Command {
    path: String,
    flags: BTreeSet<String>,
}

/// The flags (`-name`) at the start of the option lines of a help text.
fn help_flags(help: &str) -> BTreeSet<String> {
    help.lines()
        .filter(|line| {
            let indent = line.len() - line.trim_start().len();
            (2..=4).contains(&indent)
        })
        .filter_map(|line| line.trim_start().strip_prefix('-'))
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// The names listed under a heading (`Subcommands:`, `Main commands:`) of a help text.
fn listed_names(help: &str, headings: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if headings.iter().any(|h| line.trim_end() == *h) {
            inside = true;
            continue;
        }
        if inside && (line.trim().is_empty() || !line.starts_with(' ')) {
            inside = headings.iter().any(|h| line.trim_end() == *h);
            continue;
        }
        if inside && let Some(name) = line.split_whitespace().next() {
            names.push(name.to_string());
        }
    }
    names
}

/// Every subcommand of Terraform 1.15.5 (one level of nesting) with its flags.
fn terraform_commands(setup: &Setup) -> Vec<Command> {
    let dir = setup.scratch.path();
    let top = run(
        &setup.terraform.executable,
        &["-help"],
        dir,
        &setup.cli_config,
    );
    let names = listed_names(&top.stdout, &["Main commands:", "All other commands:"]);
    assert!(
        names.len() > 20,
        "terraform -help lists its commands:\n{}",
        top.describe()
    );
    let mut paths: Vec<Vec<String>> = names.into_iter().map(|n| vec![n]).collect();
    let mut commands = vec![Command {
        path: String::new(),
        flags: help_flags(&top.stdout),
    }];
    while let Some(path) = paths.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("-help");
        let help = run(&setup.terraform.executable, &args, dir, &setup.cli_config);
        let text = help.combined();
        if path.len() == 1 {
            for sub in listed_names(&text, &["Subcommands:"]) {
                paths.push(vec![path[0].clone(), sub]);
            }
        }
        commands.push(Command {
            path: path.join(" "),
            flags: help_flags(&text),
        });
    }
    commands
}

/// Whether a row covers `path` (its own row, an enclosing command's `refused` row or a
/// `PATH (flags)` row).
fn covers(rows: &[Row], path: &str, flag: Option<&str>) -> bool {
    let words: Vec<&str> = path.split(' ').collect();
    for n in 1..=words.len() {
        let prefix = words[..n].join(" ");
        if rows
            .iter()
            .any(|r| r.construct() == prefix && r.status() == "refused")
        {
            return true;
        }
    }
    match flag {
        None => rows
            .iter()
            .any(|r| r.construct() == path || r.construct().starts_with(&format!("{path} "))),
        Some(flag) => rows.iter().any(|r| {
            r.construct() == format!("{path} -{flag}").trim_start()
                || r.construct() == format!("{path} (flags)")
                || r.construct().split(", ").any(|c| c == format!("-{flag}"))
        }),
    }
}

#[test]
fn every_terraform_subcommand_and_flag_has_a_row() {
    let Some(setup) = setup() else { return };
    let rows: Vec<Row> = compatibility_rows()
        .into_iter()
        .filter(|r| r.section == "Command line")
        .collect();
    let mut missing = Vec::new();
    for command in terraform_commands(&setup) {
        if !command.path.is_empty() && !covers(&rows, &command.path, None) {
            missing.push(format!("`{}`", command.path));
        }
        for flag in &command.flags {
            if !covers(&rows, &command.path, Some(flag)) {
                missing.push(format!("`{} -{flag}`", command.path).replace("` -", "`-"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/COMPATIBILITY.md's command-line section has no row for: {}",
        missing.join(", ")
    );
}

/// The command line that probes a `refused` CLI row, and the name its error must carry.
fn refused_invocation(construct: &str) -> (Vec<String>, String) {
    let words: Vec<String> = construct.split(' ').map(str::to_string).collect();
    let named = match words.last() {
        Some(last) if last.starts_with('-') => last.clone(),
        _ => words.join(" "),
    };
    (words, named)
}

#[test]
fn every_refused_command_line_row_is_refused_by_name() {
    let Some(setup) = setup() else { return };
    let rows: Vec<Row> = compatibility_rows()
        .into_iter()
        .filter(|r| r.section == "Command line" && r.status() == "refused")
        .collect();
    assert!(
        rows.len() > 50,
        "the command-line section lists refused rows"
    );
    let failures = in_parallel(&rows, |row| {
        let (args, named) = refused_invocation(row.construct());
        let out = tenantform_in_empty_dir(&setup, &args);
        let refused = out.code.is_some_and(|c| c != 0)
            && out.stderr.contains(&named)
            && (out.stderr.contains("not supported") || out.stderr.contains("Usage:"));
        let mut problems = Vec::new();
        if !refused {
            problems.push(format!(
                "`{}` is not refused by name:\n{}",
                row.construct(),
                out.describe()
            ));
        }
        if out.stderr.contains("panicked") {
            problems.push(format!(
                "`{}` panicked:\n{}",
                row.construct(),
                out.describe()
            ));
        }
        problems
    });
    assert_no_failures(failures);
}

#[test]
fn help_flags_are_read_from_option_lines() {
    let help = "Options:\n\n  -lock=false   Don't.\n                -not-this\n  -var 'a=b'  X\n";
    let flags: Vec<String> = help_flags(help).into_iter().collect();
    assert_eq!(flags, vec!["lock".to_string(), "var".to_string()]);
}

#[test]
fn no_subcommand_help_or_flag_makes_tenantform_panic() {
    let Some(setup) = setup() else { return };
    let mut invocations: Vec<Vec<String>> = Vec::new();
    for command in terraform_commands(&setup) {
        let path: Vec<String> = command
            .path
            .split_whitespace()
            .map(str::to_string)
            .collect();
        invocations.push([path.clone(), vec!["-help".to_string()]].concat());
        for flag in &command.flags {
            invocations.push([path.clone(), vec![format!("-{flag}")]].concat());
        }
    }
    let failures = in_parallel(&invocations, |args| {
        let out = tenantform_in_empty_dir(&setup, args);
        let crashed = out.combined().contains("panicked") || out.code.is_none();
        crashed
            .then(|| format!("`{}` crashed:\n{}", args.join(" "), out.describe()))
            .into_iter()
            .collect()
    });
    assert_no_failures(failures);
}
