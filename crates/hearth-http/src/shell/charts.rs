//! Server-rendered SVG bar charts for the equality dashboards: no script,
//! no external assets, and accessible — each chart is `role="img"` with an
//! `aria-label`, a `<title>` and a `<desc>`, and the page shows the same
//! figures in a table beside it. A suppressed value is drawn as the text
//! "[c]" with no bar, never as a bar with a length.

use maud::{html, Markup};

/// One value to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BarValue {
    Value(f64),
    Suppressed,
}

/// GOV.UK palette colours for up to three series.
// Each at least 3:1 against white (WCAG 1.4.11): blue 5.2, dark orange 5.7, grey 7.1.
const COLOURS: [&str; 3] = ["#1d70b8", "#a3500f", "#505a5f"];
const WIDTH: f64 = 720.0;
const LABEL_W: f64 = 280.0;
const BAR_W: f64 = 360.0;
const BAR_H: f64 = 14.0;
const GAP: f64 = 10.0;
const LABEL_CHARS: usize = 40;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A horizontal bar chart: one row per category, one bar per series.
/// `id` must be unique on the page; it names the title and description.
pub fn bar_chart(id: &str, title: &str, desc: &str, series: &[&str], rows: &[(String, Vec<BarValue>)]) -> Markup {
    let n = series.len().clamp(1, COLOURS.len());
    let legend_h = if series.len() > 1 { 28.0 } else { 0.0 };
    let row_h = n as f64 * BAR_H + GAP;
    let height = legend_h + rows.len() as f64 * row_h + GAP;
    let max = rows
        .iter()
        .flat_map(|(_, vs)| vs.iter())
        .filter_map(|v| if let BarValue::Value(x) = v { Some(*x) } else { None })
        .fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { BAR_W / max } else { 0.0 };
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg class="hearth-chart" id=(id) xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
            aria-describedby=(desc_id) width=(WIDTH) height=(height) viewBox={ "0 0 " (WIDTH) " " (height) }
            font-family="arial, sans-serif" font-size="13" {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            @if series.len() > 1 {
                @for (i, name) in series.iter().take(n).enumerate() {
                    @let x = LABEL_W + i as f64 * 130.0;
                    rect x=(x) y="6" width="12" height="12" fill=(COLOURS[i]) {}
                    text x=(x + 16.0) y="16" fill="#0b0c0c" { (name) }
                }
            }
            @for (r, (label, values)) in rows.iter().enumerate() {
                @let top = legend_h + r as f64 * row_h + GAP / 2.0;
                text x=(LABEL_W - 8.0) y=(top + n as f64 * BAR_H / 2.0 + 4.0) text-anchor="end" fill="#0b0c0c" { (short(label)) }
                @for (i, v) in values.iter().take(n).enumerate() {
                    @let y = top + i as f64 * BAR_H;
                    @match v {
                        BarValue::Value(x) => {
                            @let w = (x * scale).max(0.0);
                            // A zero draws no bar, only its figure.
                            @if w > 0.0 {
                                rect class="hearth-chart__bar" x=(LABEL_W) y=(y + 1.0) width=(w) height=(BAR_H - 2.0) fill=(COLOURS[i]) {}
                            }
                            text x=(LABEL_W + w + 4.0) y=(y + BAR_H - 3.0) fill="#0b0c0c" { (number(*x)) }
                        }
                        BarValue::Suppressed => {
                            text class="hearth-chart__suppressed" x=(LABEL_W + 4.0) y=(y + BAR_H - 3.0) fill="#0b0c0c" { "[c]" }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressed_values_get_no_bar() {
        let rows = vec![
            ("Shown".to_string(), vec![BarValue::Value(20.0)]),
            ("Hidden".to_string(), vec![BarValue::Suppressed]),
            ("None".to_string(), vec![BarValue::Value(0.0)]),
        ];
        let svg = bar_chart("c", "People by group", "Counts after disclosure control", &["People"], &rows).into_string();
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-label="People by group""#));
        assert!(svg.contains("<title id=\"c-title\">People by group</title>") && svg.contains("<desc"));
        assert_eq!(svg.matches("hearth-chart__bar").count(), 1, "one bar, for the shown non-zero value: {svg}");
        assert!(svg.contains("[c]"));
    }

    #[test]
    fn long_labels_are_shortened_for_the_chart_only() {
        assert_eq!(short("Black: any other Black, Black British or Caribbean background").chars().count(), LABEL_CHARS);
        assert_eq!(short("Sex"), "Sex");
    }
}
