//! The server's IPv4 address pool: the addresses root adds with `addip`/`addips` beside the
//! main address, and the rules for reading them (docs/compatibility.md, "IP addresses"). An
//! account on a pool address holds it alone; the main address is shared by every account.

use std::net::Ipv4Addr;

/// The most addresses one `addips` call adds: a /24 range.
pub const MAX_RANGE: usize = 256;

/// One address of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAddress {
    pub ip: Ipv4Addr,
    pub netmask: Ipv4Addr,
    /// The network interface it belongs to, as given (`ethernetdev`); empty when none was.
    pub interface: String,
}

impl PoolAddress {
    /// The address's network: the address with its host bits cleared.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.ip) & u32::from(self.netmask))
    }
}

/// A netmask: contiguous ones, then zeros (`255.255.255.0`).
pub fn parse_netmask(text: &str) -> Option<Ipv4Addr> {
    let mask: Ipv4Addr = text.trim().parse().ok()?;
    let bits = u32::from(mask);
    (bits.leading_ones() + bits.trailing_zeros() == 32 && bits != 0).then_some(mask)
}

/// An IPv4 address as WHM takes one: four decimal octets, nothing else.
pub fn parse_address(text: &str) -> Option<Ipv4Addr> {
    text.trim().parse().ok()
}

/// Why `addips` arguments are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("“{0}” is not a valid IPv4 address or range.")]
    Invalid(String),
    #[error("The range mask must be from 24 through 30.")]
    MaskOutOfRange,
    #[error("The netmask “{0}” is not valid.")]
    Netmask(String),
    #[error("The address “{0}” to exclude is not valid.")]
    Exclude(String),
    #[error("“{0}” is not an address that can be added to a server.")]
    Unusable(Ipv4Addr),
}

/// The addresses `addips` adds: one address, or every host address of a range written as
/// `a.b.c.d/N` with N from 24 to 30 (its network and broadcast addresses left out), less
/// `excludes` (a comma-separated list).
pub fn expand(ips: &str, excludes: Option<&str>) -> Result<Vec<Ipv4Addr>, RangeError> {
    let ips = ips.trim();
    let mut found = match ips.split_once('/') {
        None => {
            let ip = parse_address(ips).ok_or_else(|| RangeError::Invalid(ips.to_owned()))?;
            vec![ip]
        }
        Some((base, bits)) => {
            let base = parse_address(base).ok_or_else(|| RangeError::Invalid(ips.to_owned()))?;
            let bits: u32 = bits
                .parse()
                .map_err(|_| RangeError::Invalid(ips.to_owned()))?;
            if !(24..=30).contains(&bits) {
                return Err(RangeError::MaskOutOfRange);
            }
            let size = 1u32 << (32 - bits);
            let network = u32::from(base) & !(size - 1);
            (network + 1..network + size - 1)
                .map(Ipv4Addr::from)
                .collect()
        }
    };
    if let Some(excludes) = excludes {
        for raw in excludes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let ip = parse_address(raw).ok_or_else(|| RangeError::Exclude(raw.to_owned()))?;
            found.retain(|a| *a != ip);
        }
    }
    if let Some(bad) = found.iter().find(|a| !usable(**a)) {
        return Err(RangeError::Unusable(*bad));
    }
    Ok(found)
}

/// Whether an address can be a server's: not unspecified, loopback, multicast, broadcast or
/// link-local.
pub fn usable(ip: Ipv4Addr) -> bool {
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_link_local())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmasks() {
        for good in [
            "255.255.255.0",
            "255.255.255.252",
            "255.0.0.0",
            "255.255.255.255",
        ] {
            assert!(parse_netmask(good).is_some(), "{good}");
        }
        for bad in [
            "255.0.255.0",
            "0.0.0.0",
            "255.255.255.1",
            "abc",
            "255.255.255",
        ] {
            assert!(parse_netmask(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ranges_and_excludes() {
        assert_eq!(
            expand("192.0.2.9", None),
            Ok(vec![Ipv4Addr::new(192, 0, 2, 9)])
        );
        // A /29 around .20 is .16 to .23: its hosts are .17 to .22.
        let range = expand("192.0.2.20/29", Some("192.0.2.18, 192.0.2.99")).expect("range");
        assert_eq!(
            range,
            [17, 19, 20, 21, 22]
                .map(|n| Ipv4Addr::new(192, 0, 2, n))
                .to_vec()
        );
        assert_eq!(expand("192.0.2.0/24", None).map(|v| v.len()), Ok(254));
        assert_eq!(
            expand("192.0.2.0/23", None),
            Err(RangeError::MaskOutOfRange)
        );
        assert_eq!(
            expand("192.0.2.0/31", None),
            Err(RangeError::MaskOutOfRange)
        );
        for bad in ["", "192.0.2", "192.0.2.1/x", "example.com", "::1"] {
            assert!(
                matches!(expand(bad, None), Err(RangeError::Invalid(_))),
                "{bad}"
            );
        }
        assert_eq!(
            expand("127.0.0.2", None),
            Err(RangeError::Unusable(Ipv4Addr::new(127, 0, 0, 2)))
        );
        assert!(matches!(
            expand("192.0.2.1", Some("nope")),
            Err(RangeError::Exclude(_))
        ));
    }

    #[test]
    fn networks() {
        let a = PoolAddress {
            ip: Ipv4Addr::new(192, 0, 2, 77),
            netmask: Ipv4Addr::new(255, 255, 255, 192),
            interface: String::new(),
        };
        assert_eq!(a.network(), Ipv4Addr::new(192, 0, 2, 64));
    }
}
