//! Charts drawn on the server as SVG: no script, readable without colour (every bar carries
//! its number), mirrored for right-to-left languages, and always shown beside a table of the
//! same figures (the table is what screen readers and the CSV export read).

use std::fmt::Write;

/// One bar: its label, its length (any unit; the longest fills the width) and the text shown
/// at its end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

const WIDTH: f64 = 640.0;
const ROW: f64 = 34.0;
const LABEL: f64 = 190.0;
const GAP: f64 = 8.0;
/// Room for the number after the longest bar.
const NUMBER: f64 = 120.0;

/// Escape text for SVG (XML) content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Horizontal bars, one under the other, labels at the start side (the right, for `rtl`).
pub fn bars(title: &str, bars: &[Bar], rtl: bool) -> String {
    let height = ROW * bars.len() as f64 + GAP;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let room = WIDTH - LABEL - NUMBER - 2.0 * GAP;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        esc(title)
    );
    // Mirror x for right to left: the label column on the right, bars growing leftwards.
    let x = |ltr: f64| if rtl { WIDTH - ltr } else { ltr };
    let (label_anchor, number_anchor) = if rtl { ("start", "end") } else { ("end", "start") };
    for (i, b) in bars.iter().enumerate() {
        let top = GAP + ROW * i as f64;
        let length = if max > 0.0 { (b.value / max * room).max(if b.value > 0.0 { 1.0 } else { 0.0 }) } else { 0.0 };
        let bar_start = LABEL + GAP;
        let rect_x = if rtl { WIDTH - bar_start - length } else { bar_start };
        let middle = top + ROW / 2.0 - 2.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{middle:.1}" text-anchor="{label_anchor}" dominant-baseline="middle" class="chart-label">{}</text><rect x="{rect_x:.1}" y="{:.1}" width="{length:.1}" height="{:.1}" rx="3" class="chart-bar"/><text x="{:.1}" y="{middle:.1}" text-anchor="{number_anchor}" dominant-baseline="middle" class="chart-number">{}</text>"#,
            x(LABEL),
            esc(&b.label),
            top + 4.0,
            ROW - 12.0,
            x(bar_start + length + GAP),
            esc(&b.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A cell of a grid: its share (0 to 1, the shade) and its text.
pub type Cell = Option<(f64, String)>;

/// A grid of shares (a cohort table): a row each with its label and cells, columns headed by
/// `columns`. An empty cell is not drawn.
pub fn grid(title: &str, columns: &[String], rows: &[(String, Vec<Cell>)], rtl: bool) -> String {
    const LABEL_W: f64 = 110.0;
    const CELL_W: f64 = 52.0;
    const CELL_H: f64 = 26.0;
    let width = LABEL_W + CELL_W * columns.len() as f64 + 8.0;
    let height = CELL_H * (rows.len() + 1) as f64 + 8.0;
    let x = |ltr: f64, w: f64| if rtl { width - ltr - w } else { ltr };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart grid" role="img" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        esc(title)
    );
    let label_anchor = if rtl { "start" } else { "end" };
    for (j, c) in columns.iter().enumerate() {
        let cx = x(LABEL_W + CELL_W * j as f64, CELL_W) + CELL_W / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" class="chart-label">{}</text>"#,
            CELL_H - 8.0,
            esc(c)
        );
    }
    for (i, (label, cells)) in rows.iter().enumerate() {
        let top = CELL_H * (i + 1) as f64;
        let lx = if rtl { width - LABEL_W + 6.0 } else { LABEL_W - 6.0 };
        let _ = write!(
            svg,
            r#"<text x="{lx:.1}" y="{:.1}" text-anchor="{label_anchor}" class="chart-label">{}</text>"#,
            top + CELL_H / 2.0 + 4.0,
            esc(label)
        );
        for (j, cell) in cells.iter().enumerate() {
            let Some((share, text)) = cell else { continue };
            let cx = x(LABEL_W + CELL_W * j as f64, CELL_W);
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="chart-bar" fill-opacity="{:.2}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="chart-number grid-number">{}</text>"#,
                cx + 1.0,
                top + 1.0,
                CELL_W - 2.0,
                CELL_H - 2.0,
                0.12 + 0.88 * share.clamp(0.0, 1.0),
                cx + CELL_W / 2.0,
                top + CELL_H / 2.0 + 4.0,
                esc(text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One stage of a journey map: its name, who reached it, what touched them there, who went on
/// (the arrow's label) and who stopped.
pub struct JourneyBox {
    pub title: String,
    pub reached: String,
    pub lines: Vec<String>,
    pub went_on: String,
    pub stopped: String,
}

/// A line of at most `n` characters (an ellipsis when cut).
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

/// The journey map: a box a stage in reading order (right to left for `rtl`), an arrow between
/// each two saying who went on, and under each box who stopped there and where.
pub fn journey(title: &str, boxes: &[JourneyBox], rtl: bool) -> String {
    const BOX: f64 = 165.0;
    const GAP: f64 = 44.0;
    const TOP: f64 = 28.0;
    const HEIGHT: f64 = 190.0;
    let width = 8.0 * 2.0 + BOX * boxes.len() as f64 + GAP * boxes.len().saturating_sub(1) as f64;
    let total = TOP + HEIGHT + 60.0;
    let x = |i: usize| {
        let ltr = 8.0 + i as f64 * (BOX + GAP);
        if rtl {
            width - ltr - BOX
        } else {
            ltr
        }
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart journey" role="img" viewBox="0 0 {width} {total}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        esc(title)
    );
    let anchor_x = |i: usize| x(i) + if rtl { BOX - 10.0 } else { 10.0 };
    let anchor = if rtl { "end" } else { "start" };
    for (i, b) in boxes.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{TOP}" width="{BOX}" height="{HEIGHT}" rx="6" class="journey-box"/>"#,
            x(i)
        );
        let mut y = TOP + 22.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{y:.1}" text-anchor="{anchor}" class="chart-label journey-title">{}</text>"#,
            anchor_x(i),
            esc(&fit(&b.title, 22))
        );
        y += 20.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{y:.1}" text-anchor="{anchor}" class="chart-number">{}</text>"#,
            anchor_x(i),
            esc(&fit(&b.reached, 24))
        );
        for line in b.lines.iter().take(5) {
            y += 22.0;
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{y:.1}" text-anchor="{anchor}" class="chart-label">{}</text>"#,
                anchor_x(i),
                esc(&fit(line, 24))
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" class="chart-label journey-stopped">{}</text>"#,
            anchor_x(i),
            TOP + HEIGHT + 22.0,
            esc(&fit(&b.stopped, 26))
        );
        if i + 1 < boxes.len() {
            let (from, to) = if rtl { (x(i), x(i + 1) + BOX) } else { (x(i) + BOX, x(i + 1)) };
            let mid = TOP + HEIGHT / 2.0;
            let head = if rtl { to + 8.0 } else { to - 8.0 };
            let _ = write!(
                svg,
                r#"<path d="M{from:.1} {mid:.1} L{to:.1} {mid:.1} M{head:.1} {:.1} L{to:.1} {mid:.1} L{head:.1} {:.1}" class="journey-arrow" fill="none"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="chart-number">{}</text>"#,
                mid - 6.0,
                mid + 6.0,
                (from + to) / 2.0,
                mid - 10.0,
                esc(&b.went_on)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Vec<Bar> {
        vec![
            Bar { label: "<b>page</b>".into(), value: 100.0, shown: "100".into() },
            Bar { label: "بازدید".into(), value: 25.0, shown: "۲۵".into() },
        ]
    }

    #[test]
    fn text_is_escaped_and_bars_are_to_scale() {
        let svg = bars("A & B", &two(), false);
        assert!(svg.contains("<title>A &amp; B</title>"));
        assert!(svg.contains("&lt;b&gt;page&lt;/b&gt;") && !svg.contains("<b>"));
        let room = WIDTH - LABEL - NUMBER - 2.0 * GAP;
        assert!(svg.contains(&format!(r#"width="{room:.1}""#)));
        assert!(svg.contains(&format!(r#"width="{:.1}""#, room / 4.0)));
    }

    #[test]
    fn right_to_left_mirrors_the_chart() {
        let ltr = bars("t", &two(), false);
        let rtl = bars("t", &two(), true);
        assert!(ltr.contains(&format!(r#"<rect x="{:.1}""#, LABEL + GAP)));
        let room = WIDTH - LABEL - NUMBER - 2.0 * GAP;
        assert!(rtl.contains(&format!(r#"<rect x="{:.1}""#, WIDTH - LABEL - GAP - room)));
        assert!(rtl.contains(&format!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="start""#,
            WIDTH - LABEL,
            GAP + ROW / 2.0 - 2.0
        )));
    }

    #[test]
    fn a_journey_reads_in_the_language_s_direction() {
        let b = |t: &str| JourneyBox {
            title: t.into(),
            reached: "10".into(),
            lines: vec!["<script>".into()],
            went_on: "50%".into(),
            stopped: "5".into(),
        };
        let boxes = [b("Awareness"), b("Consideration")];
        let ltr = journey("map", &boxes, false);
        let rtl = journey("map", &boxes, true);
        assert!(ltr.contains("&lt;script&gt;") && !ltr.contains("<script>"));
        // The first box on the left, or on the right.
        assert!(ltr.contains(r#"<rect x="8.0""#) && rtl.contains(r#"<rect x="217.0""#), "{rtl}");
        assert_eq!(ltr.matches("journey-arrow").count(), 1);
    }

    #[test]
    fn a_grid_shades_each_cell_by_its_share() {
        let rows =
            vec![("2026-01".to_owned(), vec![Some((1.0, "100%".to_owned())), Some((0.25, "25%".to_owned())), None])];
        let svg = grid("cohorts", &["0".into(), "1".into(), "2".into()], &rows, false);
        assert_eq!(svg.matches("<rect").count(), 2, "an empty cell is not drawn");
        assert!(svg.contains(r#"fill-opacity="1.00""#) && svg.contains(r#"fill-opacity="0.34""#));
        let rtl = grid(
            "cohorts",
            &["0".into()],
            &rows[..1].iter().map(|(l, c)| (l.clone(), c[..1].to_vec())).collect::<Vec<_>>(),
            true,
        );
        assert!(rtl.contains(r#"<rect x="9.0""#), "{rtl}");
    }

    #[test]
    fn nothing_to_draw_draws_no_bars() {
        let svg = bars("t", &[Bar { label: "x".into(), value: 0.0, shown: "0".into() }], false);
        assert!(svg.contains(r#"width="0.0""#));
    }
}
