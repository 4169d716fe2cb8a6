//! A [`Doc`] (an access response, a letter) as a PDF, made
//! with `printpdf` and the embedded DejaVu Sans font (free to redistribute;
//! its licence is beside it in assets/fonts). A4, 20 mm margins, lines
//! wrapped by the font's own glyph widths, page numbers at the foot; large
//! print (16 pt body) when the person's adjustments ask for it.

use crate::doc::{Block, Doc};
use printpdf::{CustomPdfConformance, IndirectFontRef, Mm, PdfConformance, PdfDocument, PdfDocumentReference, PdfLayerReference};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 20.0;
const PT: f32 = 0.352_778; // mm per point

struct Metrics {
    face: ttf_parser::Face<'static>,
}

impl Metrics {
    /// Width of `s` in mm at `size` points.
    fn width(&self, s: &str, size: f32) -> f32 {
        let em = self.face.units_per_em() as f32;
        let units: f32 = s
            .chars()
            .map(|c| self.face.glyph_index(c).and_then(|g| self.face.glyph_hor_advance(g)).unwrap_or((em * 0.6) as u16) as f32)
            .sum();
        units / em * size * PT
    }

    /// `text` broken into lines no wider than `width` mm.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = vec![];
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, size) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
                // A single word wider than the line (a long email) is cut.
                while self.width(&line, size) > width && line.chars().count() > 1 {
                    let mut cut = line.chars().count();
                    while cut > 1 && self.width(&line.chars().take(cut).collect::<String>(), size) > width {
                        cut -= 1;
                    }
                    let head: String = line.chars().take(cut).collect();
                    lines.push(head);
                    line = line.chars().skip(cut).collect();
                }
            }
            lines.push(line);
        }
        lines
    }
}

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    metrics: Metrics,
    y: f32,
    page: usize,
    body: f32,
}

impl Writer {
    fn new_page(&mut self) {
        let (p, l) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "text");
        self.layer = self.doc.get_page(p).get_layer(l);
        self.page += 1;
        self.footer();
        self.y = PAGE_H - MARGIN;
    }

    fn footer(&self) {
        let size = self.body * 0.8;
        self.layer.use_text(format!("Page {}", self.page), size, Mm(MARGIN), Mm(MARGIN / 2.0), &self.regular);
    }

    fn at_top(&self) -> bool {
        self.y >= PAGE_H - MARGIN - 0.01
    }

    /// Writes `text` wrapped at `indent` mm, `size` points, then `after` mm of space.
    fn text(&mut self, text: &str, size: f32, bold: bool, indent: f32, after: f32) {
        let line_h = size * PT * 1.4;
        let lines = self.metrics.wrap(text, size, PAGE_W - 2.0 * MARGIN - indent);
        // Keep a heading with at least the next two lines.
        if bold && self.y - line_h * (lines.len() as f32 + 2.0) < MARGIN {
            self.new_page();
        }
        for l in lines {
            if self.y - line_h < MARGIN {
                self.new_page();
            }
            self.y -= line_h;
            let font = if bold { &self.bold } else { &self.regular };
            self.layer.use_text(l, size, Mm(MARGIN + indent), Mm(self.y), font);
        }
        self.y -= after;
    }
}

/// The document as PDF bytes.
pub fn render(d: &Doc) -> Result<Vec<u8>, String> {
    let (doc, page, layer) = PdfDocument::new(&d.title, Mm(PAGE_W), Mm(PAGE_H), "text");
    // Plain PDF: no ICC profile or XMP packet needed for a letter.
    let doc = doc.with_conformance(PdfConformance::Custom(CustomPdfConformance {
        requires_icc_profile: false,
        requires_xmp_metadata: false,
        ..Default::default()
    }));
    let regular = doc.add_external_font(REGULAR).map_err(|e| e.to_string())?;
    let bold = doc.add_external_font(BOLD).map_err(|e| e.to_string())?;
    let face = ttf_parser::Face::parse(REGULAR, 0).map_err(|e| e.to_string())?;
    let layer = doc.get_page(page).get_layer(layer);
    let body = if d.large_print { 16.0 } else { 11.0 };
    let mut w = Writer { doc, layer, regular, bold, metrics: Metrics { face }, y: PAGE_H - MARGIN, page: 1, body };
    w.footer();
    for b in &d.blocks {
        match b {
            Block::Title(t) => w.text(t, body * 1.8, true, 0.0, 4.0),
            Block::Heading(t) => {
                w.y -= 2.0;
                w.text(t, body * 1.35, true, 0.0, 2.0)
            }
            Block::Subheading(t) => {
                w.y -= 1.0;
                w.text(t, body * 1.1, true, 0.0, 1.0)
            }
            Block::Para(t) => w.text(t, body, false, 0.0, 2.0),
            Block::Row(l, v) => {
                w.text(l, body, true, 0.0, 0.0);
                if !v.is_empty() {
                    w.text(v, body, false, 6.0, 1.0);
                }
            }
            Block::Bullet(t) => w.text(&format!("• {t}"), body, false, 6.0, 0.5),
            Block::PageBreak => {
                if !w.at_top() {
                    w.new_page();
                }
            }
        }
    }
    w.doc.save_to_bytes().map_err(|e| e.to_string())
}
