//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`, for IPv4
//! and IPv6 prefixes, with addresses held as 128-bit integers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tenantform_proto::value::Value;

use super::{FunctionError, integer_arg, string_arg};

/// A parsed CIDR prefix: its base address (host bits cleared), length and address width.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Prefix {
    base: u128,
    length: u32,
    bits: u32,
}

impl Prefix {
    fn parse(text: &str, index: usize) -> Result<Prefix, FunctionError> {
        let invalid = || {
            let _ = index;
            FunctionError::Call(format!(
                "invalid CIDR expression: invalid CIDR address: {text}"
            ))
        };
        let (address, length) = text.split_once('/').ok_or_else(invalid)?;
        let address: IpAddr = address.parse().map_err(|_| invalid())?;
        let (value, bits) = match address {
            IpAddr::V4(v4) => (u32::from(v4) as u128, 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        let length: u32 = length.parse().map_err(|_| invalid())?;
        if length > bits {
            return Err(invalid());
        }
        let host_bits = bits - length;
        let base = if host_bits >= 128 {
            0
        } else {
            value >> host_bits << host_bits
        };
        Ok(Prefix { base, length, bits })
    }

    fn address(&self, value: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(value as u32).to_string()
        } else {
            Ipv6Addr::from(value).to_string()
        }
    }

    fn host_count(&self) -> u128 {
        let host_bits = self.bits - self.length;
        if host_bits >= 128 {
            u128::MAX
        } else {
            1u128 << host_bits
        }
    }

    /// Subnet `number` of `new_bits` more bits.
    fn subnet(&self, new_bits: i64, number: i64) -> Result<Prefix, FunctionError> {
        if new_bits < 0 {
            return Err(FunctionError::Call("invalid newbits value".into()));
        }
        let length = self.length as i64 + new_bits;
        if length > self.bits as i64 {
            return Err(FunctionError::Call(format!(
                "insufficient address space to extend prefix of {} by {new_bits}",
                self.length
            )));
        }
        let max = if new_bits >= 127 {
            u128::MAX
        } else {
            1u128 << new_bits
        };
        if number < 0 || number as u128 >= max {
            return Err(FunctionError::Call(format!(
                "prefix extension of {new_bits} does not accommodate a subnet numbered {number}"
            )));
        }
        let length = length as u32;
        let shift = self.bits - length;
        let offset = if shift >= 128 {
            0
        } else {
            (number as u128) << shift
        };
        Ok(Prefix {
            base: self.base | offset,
            length,
            bits: self.bits,
        })
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.address(self.base), self.length)
    }
}

/// `cidrhost(prefix, hostnum)`: a negative number counts back from the end of the range.
pub(super) fn cidrhost(args: Vec<Value>) -> Result<Value, FunctionError> {
    let prefix = Prefix::parse(&string_arg(&args, 0)?, 0)?;
    let number = integer_arg(&args, 1)?;
    let count = prefix.host_count();
    let offset = if number < 0 {
        count.checked_sub(number.unsigned_abs() as u128)
    } else if (number as u128) < count {
        Some(number as u128)
    } else {
        None
    };
    let offset = offset.ok_or_else(|| {
        FunctionError::Call(format!(
            "prefix of {} does not accommodate a host numbered {number}",
            prefix.length
        ))
    })?;
    Ok(Value::String(prefix.address(prefix.base + offset)))
}

pub(super) fn cidrnetmask(args: Vec<Value>) -> Result<Value, FunctionError> {
    let prefix = Prefix::parse(&string_arg(&args, 0)?, 0)?;
    if prefix.bits != 32 {
        return Err(FunctionError::Call(
            "only IPv4 networks are supported".into(),
        ));
    }
    let mask = if prefix.length == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.length)
    };
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

pub(super) fn cidrsubnet(args: Vec<Value>) -> Result<Value, FunctionError> {
    let prefix = Prefix::parse(&string_arg(&args, 0)?, 0)?;
    let new_bits = integer_arg(&args, 1)?;
    let number = integer_arg(&args, 2)?;
    Ok(Value::String(prefix.subnet(new_bits, number)?.to_string()))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned to its own size.
pub(super) fn cidrsubnets(args: Vec<Value>) -> Result<Value, FunctionError> {
    let prefix = Prefix::parse(&string_arg(&args, 0)?, 0)?;
    let mut next = prefix.base;
    let mut results = Vec::new();
    for index in 1..args.len() {
        let new_bits = integer_arg(&args, index)?;
        if new_bits < 1 || prefix.length as i64 + new_bits > prefix.bits as i64 {
            return Err(FunctionError::arg(
                index,
                format!(
                    "would extend prefix to {} bits, which is too long for an IPv{} address",
                    prefix.length as i64 + new_bits,
                    if prefix.bits == 32 { 4 } else { 6 }
                ),
            ));
        }
        let length = prefix.length + new_bits as u32;
        let size_shift = prefix.bits - length;
        let size = 1u128.checked_shl(size_shift).unwrap_or(0);
        // Align up to this subnet's size.
        let aligned = if size == 0 {
            next
        } else {
            next.div_ceil(size) * size
        };
        let end = prefix
            .base
            .saturating_add(prefix.host_count().saturating_sub(1));
        if aligned > end || aligned.saturating_add(size.saturating_sub(1)) > end {
            return Err(FunctionError::arg(
                index,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {}",
                    results
                        .last()
                        .map_or(String::new(), |r: &Prefix| r.to_string())
                ),
            ));
        }
        let subnet = Prefix {
            base: aligned,
            length,
            bits: prefix.bits,
        };
        next = aligned + size;
        results.push(subnet);
    }
    Ok(Value::List(
        results
            .iter()
            .map(|p| Value::String(p.to_string()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{n, s};

    #[test]
    fn hosts_and_masks() {
        assert_eq!(
            cidrhost(vec![s("10.12.112.0/20"), n(16)]),
            Ok(s("10.12.112.16"))
        );
        assert_eq!(
            cidrhost(vec![s("10.12.112.0/20"), n(-1)]),
            Ok(s("10.12.127.255"))
        );
        assert_eq!(
            cidrhost(vec![s("fd00:fd12:3456:7890::/56"), n(16)]),
            Ok(s("fd00:fd12:3456:7800::10"))
        );
        assert!(cidrhost(vec![s("10.0.0.0/30"), n(4)]).is_err());
        assert_eq!(cidrnetmask(vec![s("172.16.0.0/12")]), Ok(s("255.240.0.0")));
        assert!(cidrnetmask(vec![s("not a cidr")]).is_err());
    }

    #[test]
    fn subnets() {
        assert_eq!(
            cidrsubnet(vec![s("172.16.0.0/12"), n(4), n(2)]),
            Ok(s("172.18.0.0/16"))
        );
        assert_eq!(
            cidrsubnet(vec![s("10.1.2.0/24"), n(4), n(15)]),
            Ok(s("10.1.2.240/28"))
        );
        assert!(cidrsubnet(vec![s("10.1.2.0/24"), n(4), n(16)]).is_err());
        assert_eq!(
            cidrsubnets(vec![s("10.1.0.0/16"), n(4), n(4), n(8), n(4)]),
            Ok(Value::List(vec![
                s("10.1.0.0/20"),
                s("10.1.16.0/20"),
                s("10.1.32.0/24"),
                s("10.1.48.0/20")
            ]))
        );
    }
}
