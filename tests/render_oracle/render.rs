//! The two renderers (MuPDF's `mutool draw`, poppler's `pdftoppm`), their PNM output and
//! pixel comparison.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Resolution the pages are drawn at (dots per inch): 0.5 pixel per point.
pub const DPI: u32 = 36;
/// A renderer that takes longer than this on one file counts as failing on it.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Pixels added around a rectangle where differences are expected (anti-aliasing, rounding).
const MARGIN: i64 = 3;

/// One of the two renderers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renderer {
    /// MuPDF.
    Mutool,
    /// poppler.
    Pdftoppm,
}

impl Renderer {
    /// Both, in report order.
    pub const ALL: [Renderer; 2] = [Renderer::Mutool, Renderer::Pdftoppm];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Renderer::Mutool => "mutool",
            Renderer::Pdftoppm => "pdftoppm",
        }
    }
}

/// One page as RGB (or grey) pixels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Samples per pixel (1 or 3).
    pub channels: usize,
    /// Row-major samples.
    pub data: Vec<u8>,
}

/// Every page, or why the renderer failed.
pub type Rendering = Result<Vec<Image>, String>;

/// Where the renderers are.
#[derive(Clone, Debug)]
pub struct Tools {
    /// `mutool`.
    pub mutool: PathBuf,
    /// `pdftoppm`.
    pub pdftoppm: PathBuf,
}

impl Tools {
    /// Renders `pdf` (written into `work`, an empty scratch directory of the caller's).
    pub fn render(&self, r: Renderer, pdf: &[u8], work: &Path) -> Rendering {
        clear_dir(work);
        let file = work.join("in.pdf");
        std::fs::write(&file, pdf).map_err(|e| e.to_string())?;
        let mut cmd = match r {
            Renderer::Mutool => {
                let mut c = Command::new(&self.mutool);
                c.arg("draw")
                    .arg("-q")
                    .arg("-r")
                    .arg(DPI.to_string())
                    .arg("-o")
                    .arg(work.join("page%d.pnm"))
                    .arg(&file);
                c
            }
            Renderer::Pdftoppm => {
                let mut c = Command::new(&self.pdftoppm);
                c.arg("-q")
                    .arg("-r")
                    .arg(DPI.to_string())
                    .arg(&file)
                    .arg(work.join("page"));
                c
            }
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if start.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("timed out after {} s", TIMEOUT.as_secs()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(e.to_string()),
            }
        };
        let mut pages: Vec<(usize, PathBuf)> = std::fs::read_dir(work)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter_map(|p| {
                let name = p.file_name()?.to_str()?.to_string();
                let stem = name
                    .strip_prefix("page")?
                    .trim_start_matches('-')
                    .split('.')
                    .next()?
                    .to_string();
                Some((stem.parse().ok()?, p))
            })
            .collect();
        pages.sort();
        // MuPDF exits with 1 after errors it recovered from (a broken content stream) and
        // still draws every page: what it drew is what a viewer shows. Only a run that drew
        // nothing is a failure.
        if pages.is_empty() {
            return Err(format!("no page drawn ({status})"));
        }
        pages
            .iter()
            .map(|(_, p)| parse_pnm(&std::fs::read(p).map_err(|e| e.to_string())?))
            .collect()
    }
}

fn clear_dir(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A binary PGM (P5) or PPM (P6) with 8-bit samples.
fn parse_pnm(b: &[u8]) -> Result<Image, String> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if start == i {
            return Err("truncated PNM header".into());
        }
        fields.push(String::from_utf8_lossy(&b[start..i]).into_owned());
    }
    i += 1;
    let channels = match fields[0].as_str() {
        "P5" => 1,
        "P6" => 3,
        other => return Err(format!("unexpected PNM kind {other}")),
    };
    let num = |s: &str| s.parse::<usize>().map_err(|e| e.to_string());
    let (width, height, max) = (num(&fields[1])?, num(&fields[2])?, num(&fields[3])?);
    if max != 255 {
        return Err(format!("unexpected PNM maximum {max}"));
    }
    let len = width * height * channels;
    let data = b.get(i..i + len).ok_or("truncated PNM data")?.to_vec();
    Ok(Image {
        width,
        height,
        channels,
        data,
    })
}

/// A rectangle in default user space (points), lower-left and upper-right corners.
pub type PageRect = [f64; 4];

/// True when the two renderings differ: a renderer failing on one only, another page count,
/// another page size, or one pixel outside `masks` (rectangles on every page, in points).
pub fn differs(a: &Rendering, b: &Rendering, masks: &[PageRect]) -> bool {
    match (a, b) {
        (Err(_), Err(_)) => false,
        (Ok(_), Err(_)) | (Err(_), Ok(_)) => true,
        (Ok(pa), Ok(pb)) => {
            pa.len() != pb.len() || pa.iter().zip(pb).any(|(x, y)| page_differs(x, y, masks))
        }
    }
}

fn page_differs(a: &Image, b: &Image, masks: &[PageRect]) -> bool {
    if (a.width, a.height, a.channels) != (b.width, b.height, b.channels) {
        return true;
    }
    if masks.is_empty() {
        return a.data != b.data;
    }
    let scale = f64::from(DPI) / 72.0;
    let h = a.height as f64;
    let boxes: Vec<(i64, i64, i64, i64)> = masks
        .iter()
        .map(|r| {
            (
                (r[0] * scale).floor() as i64 - MARGIN,
                (h - r[3] * scale).floor() as i64 - MARGIN,
                (r[2] * scale).ceil() as i64 + MARGIN,
                (h - r[1] * scale).ceil() as i64 + MARGIN,
            )
        })
        .collect();
    let row = a.width * a.channels;
    for y in 0..a.height {
        let (ra, rb) = (
            &a.data[y * row..(y + 1) * row],
            &b.data[y * row..(y + 1) * row],
        );
        if ra == rb {
            continue;
        }
        for x in 0..a.width {
            let px = x * a.channels..(x + 1) * a.channels;
            if ra[px.clone()] != rb[px] {
                let (xi, yi) = (x as i64, y as i64);
                let masked = boxes
                    .iter()
                    .any(|(x0, y0, x1, y1)| xi >= *x0 && xi <= *x1 && yi >= *y0 && yi <= *y1);
                if !masked {
                    return true;
                }
            }
        }
    }
    false
}

/// The first line of `tool -v` (both print their version that way, on stderr or stdout).
pub fn version(tool: &Path) -> String {
    let out = Command::new(tool).arg("-v").output();
    match out {
        Ok(o) => {
            let text = [o.stdout, o.stderr].concat();
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        }
        Err(e) => format!("unknown ({e})"),
    }
}
