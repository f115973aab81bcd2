//! IP addresses and ranges as WHM takes and shows them: an address or a CIDR range, IPv4 or
//! IPv6, shown as cPanel shows them (IPv6 with every group written out, as in its token
//! documentation), a single address without a prefix length.

use ipnet::IpNet;
use std::fmt::Write as _;
use std::net::IpAddr;

/// An address (`192.0.2.1`, `2001:db8::1`) or a range (`192.0.2.0/24`); the range's host bits
/// are dropped. `None` when it is neither.
pub fn parse_range(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Some(IpNet::from(addr));
    }
    text.parse::<IpNet>().ok().map(|n| n.trunc())
}

/// How WHM writes a range: IPv6 in full (`fc00:abcd:0000:…`), the prefix length only for a
/// range wider than one address.
pub fn show_range(net: &IpNet) -> String {
    let mut out = match net.addr() {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => {
            let mut s = String::with_capacity(39);
            for (i, group) in a.segments().iter().enumerate() {
                if i > 0 {
                    s.push(':');
                }
                let _ = write!(s, "{group:04x}");
            }
            s
        }
    };
    if net.prefix_len() < net.max_prefix_len() {
        let _ = write!(out, "/{}", net.prefix_len());
    }
    out
}

/// Whether `addr` is in one of `ranges`. An IPv4 address reached over IPv6 (`::ffff:a.b.c.d`)
/// counts as the IPv4 address.
pub fn is_in(addr: IpAddr, ranges: &[IpNet]) -> bool {
    let addr = canonical(addr);
    ranges.iter().any(|r| r.contains(&addr))
}

/// The address with an IPv4-mapped IPv6 address turned back into IPv4.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_showing() {
        for (input, shown) in [
            ("192.0.2.1", "192.0.2.1"),
            (" 192.0.2.1 ", "192.0.2.1"),
            ("1.1.1.8/29", "1.1.1.8/29"),
            ("1.1.1.9/29", "1.1.1.8/29"),
            ("192.0.2.1/32", "192.0.2.1"),
            ("fc00:abcd::f", "fc00:abcd:0000:0000:0000:0000:0000:000f"),
            (
                "2620:0:28a4::/48",
                "2620:0000:28a4:0000:0000:0000:0000:0000/48",
            ),
        ] {
            let net = parse_range(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(show_range(&net), shown, "{input}");
            assert_eq!(parse_range(&show_range(&net)), Some(net), "round trip");
        }
        for bad in [
            "",
            "any",
            "1.2.3",
            "1.2.3.4/33",
            "300.1.1.1",
            "::g",
            "1.2.3.4/x",
        ] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn membership() {
        let ranges = [
            parse_range("192.0.2.0/24").expect("range"),
            parse_range("2001:db8::1").expect("address"),
        ];
        for ok in ["192.0.2.77", "::ffff:192.0.2.5", "2001:db8::1"] {
            assert!(is_in(ok.parse().expect("ip"), &ranges), "{ok}");
        }
        for no in ["192.0.3.1", "2001:db8::2", "127.0.0.1"] {
            assert!(!is_in(no.parse().expect("ip"), &ranges), "{no}");
        }
    }
}
