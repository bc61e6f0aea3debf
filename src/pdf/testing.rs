//! Hand-written classic PDFs for unit tests across the crate.

/// A classic file from revisions of `(number, body)` objects, each closed by an xref table
/// (one subsection per object) and a trailer with `/Size`, `/Root 1 0 R`, `/Prev` and `extra`.
pub(crate) fn build(revisions: &[(&[(u32, &str)], &str)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut prev: Option<usize> = None;
    let mut size = 1;
    for (objects, extra) in revisions {
        let mut offsets = Vec::new();
        for (num, body) in objects.iter() {
            offsets.push((*num, out.len()));
            out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
            size = size.max(num + 1);
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
        for (num, off) in offsets {
            out.extend_from_slice(format!("{num} 1\n{off:010} 00000 n \n").as_bytes());
        }
        let prev_entry = prev.map(|p| format!("/Prev {p} ")).unwrap_or_default();
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {size} /Root 1 0 R {prev_entry}{extra} >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        prev = Some(xref);
    }
    out
}

/// A one-revision classic file whose objects are numbered 1, 2, … in order.
pub(crate) fn classic(objects: &[&str], trailer_extra: &str) -> Vec<u8> {
    let numbered: Vec<(u32, &str)> = objects
        .iter()
        .enumerate()
        .map(|(i, body)| (i as u32 + 1, *body))
        .collect();
    build(&[(&numbered, trailer_extra)])
}
