//! `kyso sign` options for visible signatures.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use kyso::draw::{FontSource, ImageSource};
use kyso::sign::appearance::{Anchor, Appearance, Layout, Rect, Template, TimeStyle};

use crate::output::Failure;

/// Visible signature (Decree 30/2020 layouts). Rectangles and positions are in points on the
/// page as displayed, from its lower-left corner.
#[derive(clap::Args, Default)]
#[command(next_help_heading = "Visible signature")]
pub struct AppearanceArgs {
    /// Layout: official (title, signature image, name), seal (the seal over the official's
    /// signature, or alone), copy-stamp (copy/attachment stamp, top right), portal
    /// ("Người ký / Cơ quan / Thời gian ký"), or a JSON template file.
    #[arg(long, value_name = "LAYOUT|FILE")]
    appearance: Option<String>,
    /// Signature image (PNG with transparency, or JPEG).
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
    /// Seal image (PNG with transparency, or JPEG).
    #[arg(long, value_name = "FILE")]
    seal_image: Option<PathBuf>,
    /// TrueType/OpenType font for the text (default: built-in DejaVu Serif).
    #[arg(long, value_name = "FILE")]
    font: Option<PathBuf>,
    /// Bold face for titles and names (default: the built-in bold, or --font outlined).
    #[arg(long, value_name = "FILE")]
    font_bold: Option<PathBuf>,
    /// Rectangle x,y,w,h in points (page as displayed, from its lower-left corner).
    #[arg(long, value_name = "X,Y,W,H", value_parser = parse_rect, conflicts_with = "position")]
    rect: Option<Rect>,
    /// Corner of the page instead of --rect.
    #[arg(long, value_enum)]
    position: Option<Position>,
    /// Distance from the page edges for --position, in points.
    #[arg(long, value_name = "PT", default_value_t = 20.0)]
    margin: f64,
    /// Title (chức vụ); "\n" starts a new line. Default: the certificate's title.
    #[arg(long)]
    title: Option<String>,
    /// Name shown. Default: --name, else the certificate's CN.
    #[arg(long, value_name = "NAME")]
    signer_name: Option<String>,
    /// Organisation shown. Default: the certificate's O.
    #[arg(long)]
    organization: Option<String>,
    /// Document number and symbol (số và ký hiệu), for copy-stamp.
    #[arg(long, value_name = "TEXT")]
    document_number: Option<String>,
    /// Copy form (hình thức sao), for copy-stamp: "SAO Y", "SAO LỤC", "TRÍCH SAO".
    #[arg(long, value_name = "TEXT")]
    copy_form: Option<String>,
    /// How the signing time is written.
    #[arg(long, value_enum, default_value_t = TimeArg::Vn)]
    time_style: TimeArg,
    /// The seal's real width in millimetres (default: from the image, else 36).
    #[arg(long, value_name = "MM")]
    seal_size: Option<f64>,
    /// Print the poppler command that renders the signed page to this PNG (kyso renders
    /// nothing itself).
    #[arg(long, value_name = "OUT.png")]
    preview: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Position {
    TopRight,
    TopLeft,
    BottomRight,
    BottomLeft,
}

#[derive(Clone, Copy, ValueEnum, Default)]
enum TimeArg {
    /// dd/MM/yyyy HH:mm:ss +07:00
    #[default]
    Vn,
    /// ISO 8601: yyyy-MM-ddTHH:mm:ss+07:00
    Iso,
}

fn parse_rect(s: &str) -> Result<Rect, String> {
    s.parse()
}

impl AppearanceArgs {
    /// The appearance, or `None` for an invisible signature. Appearance options without
    /// `--appearance` are an error.
    pub fn build(&self) -> Result<Option<Appearance>, Failure> {
        let Some(choice) = &self.appearance else {
            let stray = [
                ("--image", self.image.is_some()),
                ("--seal-image", self.seal_image.is_some()),
                ("--font", self.font.is_some()),
                ("--font-bold", self.font_bold.is_some()),
                ("--rect", self.rect.is_some()),
                ("--position", self.position.is_some()),
                ("--title", self.title.is_some()),
                ("--preview", self.preview.is_some()),
            ];
            if let Some((flag, _)) = stray.iter().find(|(_, set)| *set) {
                return Err(Failure(format!(
                    "{flag} needs --appearance (official, seal, copy-stamp, portal or a JSON \
                     template)"
                )));
            }
            return Ok(None);
        };
        let layout = match choice.parse::<Layout>() {
            Ok(l) => l,
            Err(_) => {
                let path = Path::new(choice);
                if !path.exists() {
                    return Err(Failure(format!(
                        "--appearance {choice}: not official, seal, copy-stamp or portal, and \
                         no such template file"
                    )));
                }
                Layout::Custom(Box::new(
                    Template::from_file(path).map_err(|e| Failure(e.to_string()))?,
                ))
            }
        };
        let mut a = Appearance::new(layout).margin(self.margin);
        if let Some(p) = &self.image {
            a = a.image(ImageSource::file(p));
        }
        if let Some(p) = &self.seal_image {
            a = a.seal_image(ImageSource::file(p));
        }
        if let Some(p) = &self.font {
            a = a.font(FontSource::file(p));
        }
        if let Some(p) = &self.font_bold {
            a = a.bold_font(FontSource::file(p));
        }
        if let Some(r) = self.rect {
            a = a.rect(r);
        }
        if let Some(p) = self.position {
            a = a.position(match p {
                Position::TopRight => Anchor::TopRight,
                Position::TopLeft => Anchor::TopLeft,
                Position::BottomRight => Anchor::BottomRight,
                Position::BottomLeft => Anchor::BottomLeft,
            });
        }
        // A literal "\n" typed on the command line starts a new line.
        let text = |s: &String| s.replace("\\n", "\n");
        if let Some(t) = &self.title {
            a = a.title(text(t));
        }
        if let Some(t) = &self.signer_name {
            a = a.signer_name(text(t));
        }
        if let Some(t) = &self.organization {
            a = a.organization(text(t));
        }
        if let Some(t) = &self.document_number {
            a = a.document_number(text(t));
        }
        if let Some(t) = &self.copy_form {
            a = a.copy_form(text(t));
        }
        a = a.time_style(match self.time_style {
            TimeArg::Vn => TimeStyle::Vietnamese,
            TimeArg::Iso => TimeStyle::Iso8601,
        });
        if let Some(mm) = self.seal_size {
            a = a.seal_diameter_mm(mm);
        }
        Ok(Some(a))
    }

    /// After signing: how to look at the result with poppler, when --preview was given.
    pub fn print_preview(&self, signed: &Path, page: usize) {
        if let Some(png) = &self.preview {
            let stem = png.with_extension("");
            eprintln!(
                "preview: kyso renders nothing itself; with poppler installed run\n  pdftoppm \
                 -png -r 110 -f {page} -l {page} -singlefile {} {}\nto write {}",
                signed.display(),
                stem.display(),
                png.display()
            );
        }
    }
}
