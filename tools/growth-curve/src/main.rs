//! Draws the growth curve of `scripts/bench.sh`: wall time against the number of resources,
//! one panel per command, one line per tool and configuration (log-log axes, so linear
//! growth is a straight line of slope one).
//!
//! Usage: `growth-curve RESULTS.csv OUTPUT.png`, the CSV being the one `scripts/bench.sh`
//! writes: `configuration,tenants,resources,tool,command,wall_s,rss_mb,status`.

mod results;

use std::process::ExitCode;

use plotters::prelude::*;

use results::{Measurement, Series};

/// The font every label is drawn with (DejaVu Sans, see `fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "sans-serif";
const COMMANDS: [&str; 3] = ["apply -auto-approve", "plan", "plan -refresh=false"];
const PANEL_WIDTH: u32 = 560;
const HEIGHT: u32 = 520;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, csv, png] = args.as_slice() else {
        eprintln!("usage: growth-curve RESULTS.csv OUTPUT.png");
        return ExitCode::from(2);
    };
    match run(csv, png) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("growth-curve: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(csv: &str, png: &str) -> Result<(), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(csv).map_err(|e| format!("reading {csv}: {e}"))?;
    let measurements = results::parse(&text)?;
    if measurements.is_empty() {
        return Err(format!("{csv} holds no successful measurement").into());
    }
    plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT)
        .map_err(|_| "the bundled font could not be read")?;
    draw(&measurements, png)
}

fn draw(measurements: &[Measurement], png: &str) -> Result<(), Box<dyn std::error::Error>> {
    let width = PANEL_WIDTH * u32::try_from(COMMANDS.len())?;
    let root = BitMapBackend::new(png, (width, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, COMMANDS.len()));
    // Each series keeps one colour in every panel.
    let mut labels: Vec<String> = COMMANDS
        .iter()
        .flat_map(|command| results::series(measurements, command))
        .map(|line| line.label)
        .collect();
    labels.sort();
    labels.dedup();
    for (panel, command) in panels.iter().zip(COMMANDS) {
        draw_panel(panel, command, measurements, &labels)?;
    }
    root.present()?;
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    command: &str,
    measurements: &[Measurement],
    labels: &[String],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let series = results::series(measurements, command);
    let (x_range, y_range) = results::ranges(measurements);
    let mut chart = ChartBuilder::on(area)
        .caption(command, (FONT_FAMILY, 22))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(x_range.log_scale(), y_range.log_scale())?;
    chart
        .configure_mesh()
        .x_desc("resources")
        .y_desc("wall time (s)")
        .x_label_formatter(&|value| round_label(*value))
        .y_label_formatter(&|value| round_label(*value))
        .label_style((FONT_FAMILY, 13))
        .axis_desc_style((FONT_FAMILY, 15))
        .draw()?;
    for line in &series {
        let index = labels.iter().position(|label| *label == line.label);
        draw_series(&mut chart, line, index.unwrap_or(labels.len()))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT_FAMILY, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<
        plotters::coord::combinators::LogCoord<f64>,
        plotters::coord::combinators::LogCoord<f64>,
    >,
>;

fn draw_series<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    line: &Series,
    index: usize,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let color = Palette99::pick(index).to_rgba();
    let style = ShapeStyle::from(color).stroke_width(2);
    chart
        .draw_series(LineSeries::new(line.points.clone(), style))?
        .label(line.label.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    chart.draw_series(
        line.points
            .iter()
            .map(|&point| Circle::new(point, 3, color.filled())),
    )?;
    Ok(())
}

/// The label of a log axis' key point: shown for 1, 2 and 5 times a power of ten, blank for
/// the points between (which keep their grid lines).
fn round_label(value: f64) -> String {
    if value <= 0.0 {
        return String::new();
    }
    let magnitude = 10f64.powf(value.log10().floor());
    let leading = (value / magnitude).round();
    let exact = ((value / magnitude) - leading).abs() < 1e-6;
    if !exact || ![1.0, 2.0, 5.0].contains(&leading) {
        return String::new();
    }
    if value >= 1.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}
