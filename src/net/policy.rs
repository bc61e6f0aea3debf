//! Where kyso may connect: the network policy every fetch goes through.
//!
//! The URLs kyso fetches come from certificates inside documents anyone can submit. A
//! verification service must not become a way to reach its own network, so by default an
//! address is refused when it is not a public unicast address: loopback, unspecified, private
//! (RFC 1918), shared address space (RFC 6598), link-local, unique-local (RFC 4193),
//! multicast, broadcast, documentation and benchmarking ranges, other reserved ranges, and
//! IPv6 forms that embed one of those IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64,
//! 6to4). Addresses are judged after the name is resolved, and the connection goes to the
//! address that was judged (no second lookup, so DNS rebinding between check and connect is
//! impossible); every redirect hop is judged the same way. The deployer's own responders on
//! internal addresses are allowed explicitly ([`NetworkPolicy::allow_host`],
//! [`NetworkPolicy::allow_net`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use super::url::{parse_host, split_host_port, Host, HttpUrl};

/// What kind of address an IP address is, for the network policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressClass {
    /// A public unicast address.
    Public,
    /// `0.0.0.0`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918: `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`.
    Private,
    /// RFC 6598 shared address space (carrier-grade NAT): `100.64.0.0/10`.
    SharedAddressSpace,
    /// `169.254.0.0/16`, `fe80::/10` (cloud metadata services live here).
    LinkLocal,
    /// RFC 4193 unique-local: `fc00::/7`.
    UniqueLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// RFC 5737 / RFC 3849 / RFC 9637: `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`,
    /// `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// RFC 2544 / RFC 5180: `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// Anything else that is not global unicast: `0.0.0.0/8`, `192.0.0.0/24`, `240.0.0.0/4`,
    /// the 6to4 relay anycast, IPv6 outside `2000::/3`, IETF protocol assignments
    /// (`2001::/23`, Teredo included), the discard prefix, site-local, local-use NAT64,
    /// IPv4-compatible addresses.
    Reserved,
}

impl AddressClass {
    /// How the policy's refusal names it.
    pub fn describe(&self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Unspecified => "the unspecified address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private (RFC 1918) address",
            AddressClass::SharedAddressSpace => "a shared (carrier-grade NAT) address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::UniqueLocal => "a unique-local address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Broadcast => "the broadcast address",
            AddressClass::Documentation => "a documentation address",
            AddressClass::Benchmarking => "a benchmarking address",
            AddressClass::Reserved => "a reserved address",
        }
    }
}

/// The class of `ip`. IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`,
/// compatible `::a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`)
/// take the class of the IPv4 address when it is not public; the deprecated and local-use
/// forms are reserved whatever they carry.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(a) => classify_v4(a),
        IpAddr::V6(a) => classify_v6(a),
    }
}

fn in_v4(a: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(a) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn classify_v4(a: Ipv4Addr) -> AddressClass {
    use AddressClass as C;
    let table: [([u8; 4], u32, AddressClass); 17] = [
        ([0, 0, 0, 0], 32, C::Unspecified),
        ([255, 255, 255, 255], 32, C::Broadcast),
        ([0, 0, 0, 0], 8, C::Reserved),
        ([10, 0, 0, 0], 8, C::Private),
        ([100, 64, 0, 0], 10, C::SharedAddressSpace),
        ([127, 0, 0, 0], 8, C::Loopback),
        ([169, 254, 0, 0], 16, C::LinkLocal),
        ([172, 16, 0, 0], 12, C::Private),
        ([192, 0, 0, 0], 24, C::Reserved),
        ([192, 0, 2, 0], 24, C::Documentation),
        ([192, 88, 99, 0], 24, C::Reserved),
        ([192, 168, 0, 0], 16, C::Private),
        ([198, 18, 0, 0], 15, C::Benchmarking),
        ([198, 51, 100, 0], 24, C::Documentation),
        ([203, 0, 113, 0], 24, C::Documentation),
        ([224, 0, 0, 0], 4, C::Multicast),
        ([240, 0, 0, 0], 4, C::Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v4(a, *net, *prefix))
        .map(|(_, _, c)| *c)
        .unwrap_or(C::Public)
}

fn in_v6(a: Ipv6Addr, net: u128, prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(a) & mask == net & mask
}

/// The class of an IPv4 address carried inside an IPv6 one: its own when not public,
/// `public_as` otherwise.
fn embedded(v4: u32, public_as: AddressClass) -> AddressClass {
    match classify_v4(Ipv4Addr::from(v4)) {
        AddressClass::Public => public_as,
        other => other,
    }
}

fn classify_v6(a: Ipv6Addr) -> AddressClass {
    use AddressClass as C;
    let bits = u128::from(a);
    let low32 = (bits & 0xffff_ffff) as u32;
    if a.is_unspecified() {
        return C::Unspecified;
    }
    if a.is_loopback() {
        return C::Loopback;
    }
    if let Some(v4) = a.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if in_v6(a, 0, 96) {
        // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated).
        return embedded(low32, C::Reserved);
    }
    if in_v6(a, 0xffff_u128 << 48, 96) {
        // SIIT IPv4-translated (RFC 2765).
        return embedded(low32, C::Reserved);
    }
    if in_v6(a, 0x0064_ff9b_u128 << 96, 96) {
        // NAT64 well-known prefix (RFC 6052): reaches the IPv4 address it carries.
        return embedded(low32, C::Public);
    }
    if in_v6(a, 0x0064_ff9b_0001_u128 << 80, 48) {
        return C::Reserved;
    }
    if in_v6(a, 0x0100_u128 << 112, 64) {
        return C::Reserved;
    }
    if in_v6(a, 0x2001_0db8_u128 << 96, 32) || in_v6(a, 0x3fff_u128 << 112, 20) {
        return C::Documentation;
    }
    if in_v6(a, 0x2001_0002_u128 << 96, 48) {
        return C::Benchmarking;
    }
    if in_v6(a, 0x2001_u128 << 112, 23) {
        return C::Reserved;
    }
    if in_v6(a, 0x2002_u128 << 112, 16) {
        // 6to4 (RFC 3056): the IPv4 address is in bits 16..48.
        return embedded((bits >> 80) as u32, C::Public);
    }
    if in_v6(a, 0xfc00_u128 << 112, 7) {
        return C::UniqueLocal;
    }
    if in_v6(a, 0xfe80_u128 << 112, 10) {
        return C::LinkLocal;
    }
    if in_v6(a, 0xff00_u128 << 112, 8) {
        return C::Multicast;
    }
    if !in_v6(a, 0x2000_u128 << 112, 3) {
        // Outside global unicast: site-local fec0::/10 and every unassigned range.
        return C::Reserved;
    }
    C::Public
}

/// A network in CIDR notation (`10.20.0.0/16`, `fd00::/8`); a bare address is a network of
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Reads `a.b.c.d/n`, `v6/n` or a bare address.
    pub fn parse(text: &str) -> Result<IpNet, PolicyError> {
        let bad = || PolicyError::InvalidNet(text.to_string());
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
        };
        // An IPv4-mapped network is the IPv4 network it maps.
        Ok(match addr {
            IpAddr::V6(v6) if prefix >= 96 && v6.to_ipv4_mapped().is_some() => IpNet {
                addr: addr.to_canonical(),
                prefix: prefix - 96,
            },
            _ => IpNet { addr, prefix },
        })
    }

    /// Whether `ip` (IPv4-mapped IPv6 read as IPv4) is in the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => in_v4(a, n.octets(), u32::from(self.prefix)),
            (IpAddr::V6(n), IpAddr::V6(a)) => in_v6(a, u128::from(n), u32::from(self.prefix)),
            _ => false,
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A host the deployer allows whatever its addresses: a name or an address (any numeric
/// form), optionally with one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    host: Host,
    port: Option<u16>,
}

impl AllowedHost {
    /// Reads `name`, `name:port`, `a.b.c.d[:port]` or `[v6][:port]`.
    pub fn parse(text: &str) -> Result<AllowedHost, PolicyError> {
        let bad = |why: String| PolicyError::InvalidHost {
            host: text.to_string(),
            reason: why,
        };
        let (host, port) = if text.starts_with('[') {
            let (host, port) = split_host_port(text).map_err(bad)?;
            (host, text.contains("]:").then_some(port))
        } else if text.matches(':').count() > 1 {
            let addr: Ipv6Addr = text
                .parse()
                .map_err(|_| bad("not an IPv6 address".into()))?;
            (Host::Ip(IpAddr::V6(addr)), None)
        } else if text.contains(':') {
            let (host, port) = split_host_port(text).map_err(bad)?;
            (host, Some(port))
        } else {
            (parse_host(text).map_err(bad)?, None)
        };
        Ok(AllowedHost {
            host: canonical(host),
            port,
        })
    }

    fn matches(&self, url: &HttpUrl) -> bool {
        canonical(url.host.clone()) == self.host && self.port.is_none_or(|p| p == url.port)
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

fn canonical(host: Host) -> Host {
    match host {
        Host::Ip(ip) => Host::Ip(ip.to_canonical()),
        other => other,
    }
}

/// Whether public addresses may be fetched from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PublicAddresses {
    /// Public unicast addresses are allowed (the default): the certification authorities'
    /// CRL, OCSP and caIssuers servers are on the Internet.
    Allowed,
    /// Only allowed hosts and networks are reached (a service whose responders are all
    /// known, or that reaches the Internet only through them).
    Refused,
}

/// A network policy setting that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An allowed host is not a host name or address (with an optional port).
    #[error("allowed host \"{host}\": {reason}")]
    InvalidHost {
        /// What was given.
        host: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// An allowed network is not in CIDR notation.
    #[error(
        "allowed network \"{0}\" is not an address or a network in CIDR notation (e.g. \
         10.20.0.0/16, 127.0.0.1/32, fd00::/8)"
    )]
    InvalidNet(String),
}

/// Where kyso may connect when it fetches CRLs, OCSP responses and issuer certificates.
///
/// Default: `http:` only (no TLS stack, by decision: what is fetched is signed), no user
/// information in URLs, public unicast addresses only (after resolution, for every redirect
/// hop), at most 3 redirects, a POST never turned into a GET. Allowed hosts and networks
/// override the address ranges for the deployer's own responders.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkPolicy {
    /// Hosts reached whatever their addresses (the deployer's own responders by name).
    pub allowed_hosts: Vec<AllowedHost>,
    /// Networks reached even when they are loopback, private or otherwise refused.
    pub allowed_nets: Vec<IpNet>,
    /// Whether public addresses are allowed.
    pub public: PublicAddresses,
    /// Most redirects followed for one fetch. A GET follows 301, 302, 303, 307 and 308; a
    /// POST follows only 307 and 308 (same method, same body): a POST answered with 301, 302
    /// or 303 fails rather than being repeated as a GET.
    pub max_redirects: u8,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy {
            allowed_hosts: Vec::new(),
            allowed_nets: Vec::new(),
            public: PublicAddresses::Allowed,
            max_redirects: 3,
        }
    }
}

/// Where one hop of a fetch connects, once the policy agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The address connected to (the one that was judged).
    pub addr: SocketAddr,
}

impl NetworkPolicy {
    /// Also allows `host` (`name`, `name:port`, an address in any numeric form, `[v6]:port`)
    /// whatever it resolves to.
    pub fn allow_host(mut self, host: &str) -> Result<Self, PolicyError> {
        self.allowed_hosts.push(AllowedHost::parse(host)?);
        Ok(self)
    }

    /// Also allows the addresses of `net` (CIDR, or one address).
    pub fn allow_net(mut self, net: &str) -> Result<Self, PolicyError> {
        self.allowed_nets.push(IpNet::parse(net)?);
        Ok(self)
    }

    /// Sets whether public addresses are allowed.
    pub fn public_addresses(mut self, public: PublicAddresses) -> Self {
        self.public = public;
        self
    }

    /// Sets the most redirects one fetch follows.
    pub fn max_redirects(mut self, n: u8) -> Self {
        self.max_redirects = n;
        self
    }

    /// Whether the policy lets kyso connect to `ip`; `Err` says why not.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), String> {
        if self.allowed_nets.iter().any(|n| n.contains(ip)) {
            return Ok(());
        }
        let class = classify(ip);
        let shown = match ip.to_canonical() {
            IpAddr::V4(a) if ip.is_ipv6() => format!("{ip} (IPv4 {a})"),
            _ => ip.to_string(),
        };
        match (class, self.public) {
            (AddressClass::Public, PublicAddresses::Allowed) => Ok(()),
            (AddressClass::Public, PublicAddresses::Refused) => Err(format!(
                "{shown} is not an allowed host or network (the network policy allows only \
                 those)"
            )),
            (class, _) => Err(format!(
                "{shown} is {}; kyso does not fetch from loopback, private, link-local and \
                 other non-public addresses unless they are allowed (--allow-host, \
                 --allow-net)",
                class.describe()
            )),
        }
    }

    /// Resolves `url`'s host within `timeout` and judges every address it has; the target
    /// is the one to connect to. An allowed host skips the address ranges.
    pub(crate) fn target(&self, url: &HttpUrl, timeout: Duration) -> Result<Target, Refusal> {
        let listed = self.allowed_hosts.iter().any(|h| h.matches(url));
        let addrs: Vec<IpAddr> = match &url.host {
            Host::Ip(ip) => vec![*ip],
            Host::Name(name) => resolve(name, url.port, timeout).map_err(Refusal::Unreachable)?,
        };
        if !listed {
            for ip in &addrs {
                self.check_address(*ip).map_err(|why| match &url.host {
                    Host::Name(n) => Refusal::Policy(format!("{n} resolves to {why}")),
                    Host::Ip(_) => Refusal::Policy(why),
                })?;
            }
        }
        // IPv4 first: hosts with an AAAA record but no IPv6 route are common.
        let ip = addrs
            .iter()
            .find(|a| a.to_canonical().is_ipv4())
            .or_else(|| addrs.first())
            .copied()
            .ok_or_else(|| Refusal::Unreachable("the name has no address".into()))?;
        Ok(Target {
            addr: SocketAddr::new(ip.to_canonical(), url.port),
        })
    }
}

/// Why a hop was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The policy refuses the address.
    Policy(String),
    /// The name could not be resolved.
    Unreachable(String),
}

/// Most addresses of one name judged.
const MAX_ADDRESSES: usize = 16;

/// The addresses of `name` (port `port`), looked up on a helper thread so that a slow
/// resolver costs at most `timeout`.
fn resolve(name: &str, port: u16, timeout: Duration) -> Result<Vec<IpAddr>, String> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let query = (name.to_string(), port);
    let spawned = std::thread::Builder::new()
        .name("kyso-resolve".into())
        .spawn(move || {
            let result = query
                .to_socket_addrs()
                .map(|it| it.take(MAX_ADDRESSES).map(|a| a.ip()).collect::<Vec<_>>());
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot look up {name}: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(format!("{name} has no address")),
        Ok(Err(e)) => Err(format!("{name} could not be resolved: {e}")),
        Err(_) => Err(format!(
            "looking up {name} took longer than {} ms",
            timeout.as_millis()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressClass as C;

    fn class(text: &str) -> AddressClass {
        classify(text.parse().unwrap())
    }

    /// The class of the address an URL's host denotes.
    fn url_class(url: &str) -> AddressClass {
        match HttpUrl::parse(url).unwrap().host {
            Host::Ip(ip) => classify(ip),
            Host::Name(n) => panic!("{url} read as the name {n}"),
        }
    }

    #[test]
    fn ipv4_ranges_rfc_6890_special_purpose_registry() {
        for (addr, want) in [
            ("0.0.0.0", C::Unspecified),
            ("0.1.2.3", C::Reserved),
            ("10.0.0.1", C::Private),
            ("10.255.255.255", C::Private),
            ("100.64.0.1", C::SharedAddressSpace),
            ("100.127.255.254", C::SharedAddressSpace),
            ("100.128.0.1", C::Public),
            ("127.0.0.1", C::Loopback),
            ("127.255.0.9", C::Loopback),
            ("169.254.169.254", C::LinkLocal),
            ("172.16.0.1", C::Private),
            ("172.31.255.255", C::Private),
            ("172.32.0.1", C::Public),
            ("192.0.0.8", C::Reserved),
            ("192.0.2.1", C::Documentation),
            ("192.88.99.1", C::Reserved),
            ("192.168.1.1", C::Private),
            ("198.18.0.1", C::Benchmarking),
            ("198.19.255.255", C::Benchmarking),
            ("198.51.100.7", C::Documentation),
            ("203.0.113.9", C::Documentation),
            ("224.0.0.1", C::Multicast),
            ("239.255.255.250", C::Multicast),
            ("240.0.0.1", C::Reserved),
            ("255.255.255.255", C::Broadcast),
            ("8.8.8.8", C::Public),
            ("1.1.1.1", C::Public),
            ("14.225.0.1", C::Public),
        ] {
            assert_eq!(class(addr), want, "{addr}");
        }
    }

    #[test]
    fn ipv6_ranges_and_forms_that_embed_ipv4() {
        for (addr, want) in [
            ("::", C::Unspecified),
            ("::1", C::Loopback),
            ("::ffff:127.0.0.1", C::Loopback),
            ("::ffff:7f00:1", C::Loopback),
            ("::ffff:10.0.0.1", C::Private),
            ("::ffff:169.254.169.254", C::LinkLocal),
            ("::ffff:8.8.8.8", C::Public),
            ("::127.0.0.1", C::Loopback),
            ("::8.8.8.8", C::Reserved),
            ("::ffff:0:127.0.0.1", C::Loopback),
            ("::ffff:0:8.8.8.8", C::Reserved),
            ("64:ff9b::127.0.0.1", C::Loopback),
            ("64:ff9b::10.1.2.3", C::Private),
            ("64:ff9b::8.8.8.8", C::Public),
            ("64:ff9b:1::1", C::Reserved),
            ("100::1", C::Reserved),
            ("2001:db8::1", C::Documentation),
            ("3fff::1", C::Documentation),
            ("2001:2::1", C::Benchmarking),
            ("2001::1", C::Reserved),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", C::Reserved),
            ("2002:7f00:1::1", C::Loopback),
            ("2002:c0a8:101::1", C::Private),
            ("2002:808:808::1", C::Public),
            ("fc00::1", C::UniqueLocal),
            ("fd12:3456::1", C::UniqueLocal),
            ("fe80::1", C::LinkLocal),
            ("febf::1", C::LinkLocal),
            ("fec0::1", C::Reserved),
            ("ff02::1", C::Multicast),
            ("4000::1", C::Reserved),
            ("2400:cb00::1", C::Public),
            ("2606:4700:4700::1111", C::Public),
        ] {
            assert_eq!(class(addr), want, "{addr}");
        }
    }

    #[test]
    fn every_numeric_host_form_is_judged_as_the_address_it_denotes() {
        for url in [
            "http://127.0.0.1/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
        ] {
            assert_eq!(url_class(url), C::Loopback, "{url}");
        }
        assert_eq!(url_class("http://0/"), C::Unspecified);
        assert_eq!(url_class("http://[::]/"), C::Unspecified);
        assert_eq!(url_class("http://0xa9fea9fe/"), C::LinkLocal);
        assert_eq!(url_class("http://012.0.0.1/"), C::Private);
        assert_eq!(url_class("http://3232235521/"), C::Private);
        assert_eq!(url_class("http://[fd00::1]:8080/"), C::UniqueLocal);
        assert_eq!(url_class("http://0xffffffff/"), C::Broadcast);
    }

    #[test]
    fn default_policy_refuses_non_public_and_allow_lists_override() {
        let policy = NetworkPolicy::default();
        for ip in [
            "127.0.0.1",
            "::1",
            "::ffff:127.0.0.1",
            "10.1.1.1",
            "169.254.169.254",
        ] {
            let err = policy.check_address(ip.parse().unwrap()).unwrap_err();
            assert!(err.contains("--allow-net"), "{ip}: {err}");
        }
        let err = policy
            .check_address("::ffff:192.168.0.1".parse().unwrap())
            .unwrap_err();
        assert!(
            err.contains("IPv4 192.168.0.1") && err.contains("private"),
            "{err}"
        );
        assert!(policy.check_address("8.8.8.8".parse().unwrap()).is_ok());

        let policy = NetworkPolicy::default()
            .allow_net("127.0.0.0/8")
            .unwrap()
            .allow_net("fd00::/8")
            .unwrap();
        assert!(policy.check_address("127.0.0.1".parse().unwrap()).is_ok());
        assert!(policy
            .check_address("::ffff:127.0.0.2".parse().unwrap())
            .is_ok());
        assert!(policy.check_address("fd00::5".parse().unwrap()).is_ok());
        assert!(policy.check_address("::1".parse().unwrap()).is_err());
        assert!(policy.check_address("10.0.0.1".parse().unwrap()).is_err());

        let only = NetworkPolicy::default()
            .public_addresses(PublicAddresses::Refused)
            .allow_net("203.0.113.0/24")
            .unwrap();
        assert!(only.check_address("8.8.8.8".parse().unwrap()).is_err());
        assert!(only.check_address("203.0.113.5".parse().unwrap()).is_ok());
    }

    #[test]
    fn allowed_hosts_and_nets_parse() {
        for bad in ["", "10.0.0.0/33", "::1/129", "example.com/8", "10.0.0/8"] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
        let n = IpNet::parse("::ffff:10.0.0.0/104").unwrap();
        assert!(n.contains("10.1.2.3".parse().unwrap()));
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));

        let url = |u: &str| HttpUrl::parse(u).unwrap();
        let h = AllowedHost::parse("OCSP.internal.example").unwrap();
        assert!(h.matches(&url("http://ocsp.internal.example:8080/")));
        let h = AllowedHost::parse("ocsp.internal.example:8080").unwrap();
        assert!(h.matches(&url("http://ocsp.internal.example:8080/")));
        assert!(!h.matches(&url("http://ocsp.internal.example/")));
        let h = AllowedHost::parse("127.0.0.1").unwrap();
        assert!(h.matches(&url("http://0x7f000001:9/")));
        assert!(h.matches(&url("http://[::ffff:127.0.0.1]/")));
        let h = AllowedHost::parse("[::1]:8080").unwrap();
        assert!(h.matches(&url("http://[::1]:8080/")));
        assert!(!h.matches(&url("http://[::1]:8081/")));
        let h = AllowedHost::parse("fd00::1").unwrap();
        assert!(h.matches(&url("http://[fd00::1]:1/")));
        for bad in ["user@host", "host:", "host:99999", "exa mple", "[::1"] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_judged_after_resolution() {
        // `localhost` is a name, resolved by the system: its addresses are loopback.
        let policy = NetworkPolicy::default();
        let u = HttpUrl::parse("http://localhost:9/").unwrap();
        match policy.target(&u, Duration::from_secs(5)) {
            Err(Refusal::Policy(why)) => {
                assert!(why.contains("localhost resolves to"), "{why}");
                assert!(why.contains("loopback"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        let allowed = NetworkPolicy::default().allow_host("localhost").unwrap();
        let t = allowed.target(&u, Duration::from_secs(5)).unwrap();
        assert!(t.addr.ip().is_loopback());
        assert_eq!(t.addr.port(), 9);
    }
}
