//! The rows of `scripts/bench.sh`'s CSV and the lines the chart draws from them.

use std::collections::BTreeMap;
use std::ops::Range;

/// One successful measurement: a tool running a command on a configuration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Measurement {
    pub configuration: String,
    pub resources: f64,
    pub tool: String,
    pub command: String,
    pub seconds: f64,
}

/// One line of a panel: a tool on a configuration, points in order of size.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

const COLUMNS: usize = 8;

/// The measurements of a CSV with a header line, leaving out the capped and failed runs
/// (their time is not the command's).
pub(crate) fn parse(text: &str) -> Result<Vec<Measurement>, String> {
    let mut measurements = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != COLUMNS {
            return Err(format!(
                "line {}: {} fields, {COLUMNS} expected",
                number + 1,
                fields.len()
            ));
        }
        if !matches!(fields[7], "ok" | "changes") {
            continue;
        }
        let number_at = |index: usize| {
            fields[index]
                .parse::<f64>()
                .map_err(|e| format!("line {}: {:?}: {e}", number + 1, fields[index]))
        };
        measurements.push(Measurement {
            configuration: fields[0].to_string(),
            resources: number_at(2)?,
            tool: fields[3].to_string(),
            command: fields[4].to_string(),
            seconds: number_at(5)?,
        });
    }
    Ok(measurements)
}

/// The lines of the panel of `command`, one per tool and configuration.
pub(crate) fn series(measurements: &[Measurement], command: &str) -> Vec<Series> {
    let mut lines: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    for m in measurements.iter().filter(|m| m.command == command) {
        lines
            .entry((m.tool.clone(), m.configuration.clone()))
            .or_default()
            .push((m.resources, m.seconds.max(MIN_SECONDS)));
    }
    lines
        .into_iter()
        .map(|((tool, configuration), mut points)| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                label: format!("{tool}, {configuration}"),
                points,
            }
        })
        .collect()
}

/// The smallest time drawn: log axes cannot show zero.
const MIN_SECONDS: f64 = 0.01;

/// The axes' ranges, shared by every panel so that they compare at a glance: from half the
/// smallest to twice the largest value.
pub(crate) fn ranges(measurements: &[Measurement]) -> (Range<f64>, Range<f64>) {
    let span = |values: Vec<f64>| {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(0.0, f64::max);
        (low.max(MIN_SECONDS) / 2.0)..(high.max(MIN_SECONDS) * 2.0)
    };
    (
        span(measurements.iter().map(|m| m.resources).collect()),
        span(measurements.iter().map(|m| m.seconds).collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "configuration,tenants,resources,tool,command,wall_s,rss_mb,status\n\
        saas,1000,5000,tenantform,plan,1.50,90,ok\n\
        saas,100,500,tenantform,plan,0.20,20,ok\n\
        saas,1000,5000,terraform,plan,30.00,400,capped\n\
        flat,100,500,terraform,plan,2.00,150,ok\n";

    #[test]
    fn capped_runs_are_left_out_and_points_come_in_order_of_size() {
        let measurements = parse(CSV).unwrap();
        assert_eq!(measurements.len(), 3);
        let lines = series(&measurements, "plan");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].label, "tenantform, saas");
        assert_eq!(lines[0].points, vec![(500.0, 0.2), (5000.0, 1.5)]);
        assert_eq!(lines[1].label, "terraform, flat");
        assert!(series(&measurements, "apply -auto-approve").is_empty());
    }

    #[test]
    fn ranges_leave_a_margin_around_every_point() {
        let (x, y) = ranges(&parse(CSV).unwrap());
        assert_eq!(x, 250.0..10000.0);
        assert_eq!(y, 0.1..4.0);
    }

    #[test]
    fn a_short_row_is_an_error_naming_its_line() {
        let error = parse("header\nsaas,1,5,tenantform\n").unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
    }
}
