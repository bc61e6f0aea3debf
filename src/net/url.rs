//! The URLs kyso fetches: `http://host[:port]/path?query`, read strictly.
//!
//! The URLs come from certificates in documents anyone can submit, so the reader refuses
//! whatever two URL parsers could read differently rather than guess: user info
//! (`http://user@host/`), backslashes, spaces and control characters, percent-encoded or
//! non-ASCII host names, empty ports, zone identifiers. A host made only of numbers is read
//! the way browsers (WHATWG URL, IPv4 parser) and `inet_aton` read it: `2130706433`,
//! `0x7f000001`, `0177.0.0.1` and `127.1` are all 127.0.0.1, so the address policy judges the
//! address they denote, never the text. A fragment is dropped (it is never sent).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest URL read.
const MAX_URL: usize = 2048;

/// A host: a DNS name (lower case, no trailing dot) or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A DNS name, resolved before connecting.
    Name(String),
    /// An address, written literally (in any of its numeric forms).
    Ip(IpAddr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip(IpAddr::V4(a)) => write!(f, "{a}"),
            Host::Ip(IpAddr::V6(a)) => write!(f, "[{a}]"),
        }
    }
}

/// An `http:` URL, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpUrl {
    /// The host.
    pub host: Host,
    /// The port (80 when the URL gives none).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl HttpUrl {
    /// Reads `url`; `Err` says why it is not fetched.
    pub fn parse(url: &str) -> Result<HttpUrl, String> {
        if url.len() > MAX_URL {
            return Err(format!("the URL is longer than {MAX_URL} characters"));
        }
        if !url.is_ascii() {
            return Err(
                "the URL holds non-ASCII characters (internationalised names and \
                        paths are not fetched)"
                    .into(),
            );
        }
        if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err("the URL holds spaces or control characters".into());
        }
        if url.contains('\\') {
            return Err("the URL holds a backslash, which URL parsers read differently".into());
        }
        let lower = url.to_ascii_lowercase();
        let rest = if lower.starts_with("http://") {
            url.get(7..).unwrap_or_default()
        } else if lower.starts_with("http:") {
            return Err("an http: URL must start with http:// and a host".into());
        } else if lower.starts_with("https:") {
            return Err(
                "https: needs TLS, which kyso does not carry (CRLs, OCSP responses and \
                        issuer certificates are signed and published over http:)"
                    .into(),
            );
        } else {
            return Err("only http: URLs are fetched".into());
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        if authority.contains('@') {
            return Err("the URL names a user (user@host), which kyso never sends".into());
        }
        let (host, port) = split_host_port(authority)?;
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let url = HttpUrl { host, port, path };
        // The host written out can be longer than given (`4` is `0.0.0.4`): the limit holds
        // for what is fetched, and what is written back reads back the same.
        if url.display().len() > MAX_URL {
            return Err(format!(
                "the URL is longer than {MAX_URL} characters once its host is written out"
            ));
        }
        Ok(url)
    }

    /// The value of the `Host` header: the host as given, and the port unless it is 80.
    pub fn host_header(&self) -> String {
        match self.port {
            80 => self.host.to_string(),
            p => format!("{}:{p}", self.host),
        }
    }

    /// The URL, written back (normalised host, no fragment).
    pub fn display(&self) -> String {
        format!("http://{}{}", self.host_header(), self.path)
    }

    /// `location` (a redirect's target) read against this URL.
    pub fn join(&self, location: &str) -> Result<HttpUrl, String> {
        let location = location.trim();
        let has_scheme = location
            .find(':')
            .is_some_and(|i| location.find('/').is_none_or(|s| i < s));
        let absolute = if has_scheme {
            location.to_string()
        } else if let Some(rest) = location.strip_prefix("//") {
            format!("http://{rest}")
        } else if location.starts_with('/') {
            format!("http://{}{location}", self.host_header())
        } else {
            let path = self.path.split('?').next().unwrap_or("/");
            let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
            format!("http://{}{dir}/{location}", self.host_header())
        };
        HttpUrl::parse(&absolute)
    }
}

/// `host[:port]` or `[v6][:port]`.
pub(crate) fn split_host_port(authority: &str) -> Result<(Host, u16), String> {
    let (host_text, port_text) = if let Some(inner) = authority.strip_prefix('[') {
        let (v6, after) = inner
            .split_once(']')
            .ok_or("an IPv6 address without its closing bracket")?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("text after an IPv6 address")?),
        };
        let addr: Ipv6Addr = v6.parse().map_err(|_| {
            format!("[{v6}] is not an IPv6 address kyso reads (no zone identifiers)")
        })?;
        return Ok((Host::Ip(IpAddr::V6(addr)), parse_port(port)?));
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    Ok((parse_host(host_text)?, parse_port(port_text)?))
}

fn parse_port(text: Option<&str>) -> Result<u16, String> {
    let Some(text) = text else { return Ok(80) };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("\"{text}\" is not a port number"));
    }
    match text.trim_start_matches('0').parse::<u32>() {
        Ok(p @ 1..=65535) => Ok(p as u16),
        _ => Err(format!("port {text} is out of range")),
    }
}

/// A host that is not bracketed: an IPv4 address in any numeric form, or a DNS name.
pub(crate) fn parse_host(text: &str) -> Result<Host, String> {
    if text.is_empty() {
        return Err("the URL names no host".into());
    }
    if text.contains('%') {
        return Err("the host is percent-encoded".into());
    }
    let lower = text.to_ascii_lowercase();
    let name = lower.strip_suffix('.').unwrap_or(&lower);
    let labels: Vec<&str> = name.split('.').collect();
    // WHATWG URL: a host whose last label is a number is an IPv4 address, or invalid.
    if labels.last().is_some_and(|l| is_number(l)) {
        return parse_ipv4(&labels)
            .map(|a| Host::Ip(IpAddr::V4(a)))
            .ok_or_else(|| format!("\"{text}\" is neither a valid IPv4 address nor a host name"));
    }
    let valid_label = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if name.len() > 253 || !labels.iter().all(valid_label) {
        return Err(format!("\"{text}\" is not a valid host name"));
    }
    Ok(Host::Name(name.to_string()))
}

/// Decimal digits, or `0x` followed by hexadecimal digits (possibly none, as WHATWG has it).
fn is_number(label: &str) -> bool {
    if let Some(hex) = label.strip_prefix("0x") {
        return hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit())
}

/// One part of a numeric IPv4 host: `0x` hexadecimal, a leading `0` octal, else decimal.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    // Leading zeros cannot overflow the value; more than 32 significant bits is invalid.
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 32 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// The WHATWG IPv4 parser over labels: one to four numbers, the last filling the remaining
/// bytes.
fn parse_ipv4(labels: &[&str]) -> Option<Ipv4Addr> {
    if labels.is_empty() || labels.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = labels
        .iter()
        .map(|l| ipv4_number(l))
        .collect::<Option<_>>()?;
    let (last, first) = numbers.split_last()?;
    if first.iter().any(|n| *n > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - first.len() as u32);
    if *last >= 1u64 << rest_bits {
        return None;
    }
    let mut value: u64 = *last;
    for (i, n) in first.iter().enumerate() {
        value |= n << (8 * (3 - i as u32));
    }
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(url: &str) -> Host {
        HttpUrl::parse(url).unwrap().host
    }

    fn v4(a: u8, b: u8, c: u8, d: u8) -> Host {
        Host::Ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    /// Found by the url_read fuzz target: a 2 043-character URL with host `4` was accepted,
    /// written back as `0.0.0.4` (2 049 characters), and the written-back URL was refused.
    #[test]
    fn the_length_limit_holds_for_the_url_written_out() {
        let short = format!("http://4/{}", "a".repeat(MAX_URL - 12));
        assert!(short.len() <= MAX_URL);
        let e = HttpUrl::parse(&short).unwrap_err();
        assert!(e.contains("once its host is written out"), "{e}");
        let fits = format!("http://4/{}", "a".repeat(MAX_URL - 16));
        let url = HttpUrl::parse(&fits).unwrap().display();
        assert_eq!(HttpUrl::parse(&url).unwrap().display(), url);
    }

    #[test]
    fn numeric_hosts_denote_their_address_whatwg_ipv4_parser() {
        // WHATWG URL Standard §3.5 "IPv4 parser" (and inet_aton): every form of 127.0.0.1.
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0X7F000001/",
            "http://0177.0.0.1/",
            "http://0177.00.0.01/",
            "http://0x7f.0.0.1/",
            "http://127.1/",
            "http://127.0.1/",
            "http://127.0.0.1./",
            "http://017700000001/",
        ] {
            assert_eq!(host(url), v4(127, 0, 0, 1), "{url}");
        }
        assert_eq!(host("http://0/"), v4(0, 0, 0, 0));
        assert_eq!(host("http://0x/"), v4(0, 0, 0, 0));
        assert_eq!(host("http://10.1/"), v4(10, 0, 0, 1));
        assert_eq!(host("http://192.168.257/"), v4(192, 168, 1, 1));
        assert_eq!(host("http://3232235777/"), v4(192, 168, 1, 1));
        // Out of range or malformed numbers are refused, never guessed.
        for url in [
            "http://256.0.0.1/",
            "http://1.2.3.4.5/",
            "http://4294967296/",
            "http://0x100000000/",
            "http://1.2.3.256/",
            "http://08.0.0.1/",
            "http://0xg.0.0.1/",
            "http://example.123/",
            "http://1..2.3/",
        ] {
            assert!(HttpUrl::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn ipv6_literals_including_mapped_forms() {
        assert_eq!(
            host("http://[::1]/"),
            Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
        let mapped = host("http://[::ffff:127.0.0.1]:8080/x");
        assert_eq!(
            mapped,
            Host::Ip(IpAddr::V6(Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped()))
        );
        assert!(HttpUrl::parse("http://[fe80::1%25eth0]/").is_err());
        assert!(HttpUrl::parse("http://[::1/").is_err());
        assert!(HttpUrl::parse("http://[::1]x/").is_err());
    }

    #[test]
    fn user_info_schemes_and_ambiguous_text_are_refused() {
        for (url, why) in [
            ("http://user@example.com/", "user"),
            ("http://user:pw@example.com/", "user"),
            ("http://example.com@127.0.0.1/", "user"),
            ("https://example.com/", "TLS"),
            ("HTTPS://example.com/", "TLS"),
            ("ldap://example.com/", "only http"),
            ("file:///etc/passwd", "only http"),
            ("http:/example.com/", "http://"),
            ("http://exa mple.com/", "spaces"),
            ("http://example.com\\@127.0.0.1/", "backslash"),
            ("http://%31%32%37.0.0.1/", "percent"),
            ("http://ví-dụ.vn/", "non-ASCII"),
            ("http://example.com:/", "port"),
            ("http://example.com:0/", "port"),
            ("http://example.com:65536/", "port"),
            ("http://example.com:80:80/", "port"),
            ("http://exa$mple.com/", "host name"),
            ("http:///path", "no host"),
        ] {
            let err = HttpUrl::parse(url).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn names_ports_paths_and_host_headers() {
        let u = HttpUrl::parse("HTTP://Ca.Example.VN:8080/ocsp?x=1#frag").unwrap();
        assert_eq!(u.host, Host::Name("ca.example.vn".into()));
        assert_eq!(u.port, 8080);
        assert_eq!(u.path, "/ocsp?x=1");
        assert_eq!(u.host_header(), "ca.example.vn:8080");
        let u = HttpUrl::parse("http://ca.example.vn").unwrap();
        assert_eq!((u.port, u.path.as_str()), (80, "/"));
        assert_eq!(u.host_header(), "ca.example.vn");
        let u = HttpUrl::parse("http://ca.example.vn?q").unwrap();
        assert_eq!(u.path, "/?q");
        let u = HttpUrl::parse("http://[2001:db8::1]:81/").unwrap();
        assert_eq!(u.host_header(), "[2001:db8::1]:81");
    }

    #[test]
    fn redirect_locations_are_read_against_the_current_url() {
        let base = HttpUrl::parse("http://a.example:8080/dir/file.crl?x").unwrap();
        let j = |l: &str| base.join(l).unwrap().display();
        assert_eq!(j("http://b.example/x"), "http://b.example/x");
        assert_eq!(j("//c.example:81/y"), "http://c.example:81/y");
        assert_eq!(j("/root.crl"), "http://a.example:8080/root.crl");
        assert_eq!(j("other.crl"), "http://a.example:8080/dir/other.crl");
        assert!(base.join("https://b.example/").is_err());
        assert!(base.join("http://user@b.example/").is_err());
        assert_eq!(
            base.join("http://0x7f000001:9/").unwrap().host,
            v4(127, 0, 0, 1)
        );
    }
}
