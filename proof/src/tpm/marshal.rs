//! Big-endian TPM marshalling (TPM 2.0 Part 1, "Marshalling"): a reader that never panics and
//! reports what it was reading, and the few writers MakeCredential needs.

use super::refusal::TpmRefusal;

/// Reads one marshalled structure from untrusted bytes; every read checks the length first.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`, named `what` in its refusals (`ekPublic`, `attest`, ...).
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { rest: bytes, what }
    }

    /// The refusal for this structure, saying `why`.
    pub(crate) fn malformed(&self, why: impl Into<String>) -> TpmRefusal {
        TpmRefusal::Malformed {
            what: self.what,
            why: why.into(),
        }
    }

    /// The next `count` bytes.
    pub(crate) fn take(&mut self, count: usize, field: &str) -> Result<&'a [u8], TpmRefusal> {
        if self.rest.len() < count {
            return Err(self.malformed(format!(
                "truncated at {field}: {count} bytes needed, {} left",
                self.rest.len()
            )));
        }
        let (taken, rest) = self.rest.split_at(count);
        self.rest = rest;
        Ok(taken)
    }

    /// A `UINT8`.
    pub(crate) fn u8(&mut self, field: &str) -> Result<u8, TpmRefusal> {
        let bytes = self.take(1, field)?;
        Ok(bytes.first().copied().unwrap_or_default())
    }

    /// A `UINT16`.
    pub(crate) fn u16(&mut self, field: &str) -> Result<u16, TpmRefusal> {
        let mut buffer = [0; 2];
        buffer.copy_from_slice(self.take(2, field)?);
        Ok(u16::from_be_bytes(buffer))
    }

    /// A `UINT32`.
    pub(crate) fn u32(&mut self, field: &str) -> Result<u32, TpmRefusal> {
        let mut buffer = [0; 4];
        buffer.copy_from_slice(self.take(4, field)?);
        Ok(u32::from_be_bytes(buffer))
    }

    /// A `UINT64`.
    pub(crate) fn u64(&mut self, field: &str) -> Result<u64, TpmRefusal> {
        let mut buffer = [0; 8];
        buffer.copy_from_slice(self.take(8, field)?);
        Ok(u64::from_be_bytes(buffer))
    }

    /// A `TPM2B_*`: a `UINT16` size, then that many bytes, at most `max` of them.
    pub(crate) fn tpm2b(&mut self, field: &str, max: usize) -> Result<&'a [u8], TpmRefusal> {
        let size = usize::from(self.u16(field)?);
        if size > max {
            return Err(self.malformed(format!(
                "{field} has {size} bytes, more than the {max} it may have"
            )));
        }
        self.take(size, field)
    }

    /// Refuses bytes after the structure.
    pub(crate) fn finish(self) -> Result<(), TpmRefusal> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(format!(
                "{} bytes after the end of the structure",
                self.rest.len()
            )))
        }
    }
}

/// Appends `bytes` as a `TPM2B_*` (a `UINT16` size, then the bytes); `None` when they are too
/// long for a `UINT16` size.
pub(crate) fn put_tpm2b(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    let size = u16::try_from(bytes.len()).ok()?;
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(bytes);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_refuses_short_input() {
        let mut reader = Reader::new(&[0x01, 0x02, 0x00, 0x02, 0xaa, 0xbb, 0x07], "test");
        assert_eq!(reader.u16("a").unwrap(), 0x0102);
        assert_eq!(reader.tpm2b("b", 2).unwrap(), &[0xaa, 0xbb]);
        assert_eq!(reader.u32("c").unwrap_err().kind(), "malformed");
        let mut reader = Reader::new(&[0x00, 0x03, 0x01], "test");
        assert!(reader.tpm2b("d", 2).is_err());
        let reader = Reader::new(&[0x00], "test");
        assert!(reader.finish().is_err());
    }
}
