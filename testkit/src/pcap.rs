//! A reader of the captures libtss2's `pcap` TCTI writes (`pcap:<child TCTI>`, file named by
//! `TCTI_PCAP_FILE`): pcapng, one section per TCTI opened (the file is appended to), one
//! interface of link type IPv4, and per TPM command and per response one enhanced packet block
//! holding a fake IPv4/TCP frame, from port 50000 to the TPM's port 2321 for a command and back
//! for its answer. The TCP payload is the TPM message itself: tag (u16), size (u32), then the
//! command code or response code (u32), big-endian.
//!
//! It reads Ethernet and raw-IP link types too, both byte orders, and simple packet blocks,
//! skips blocks it does not need, and refuses (with the reason) anything it cannot read as one
//! whole TPM message per frame, rather than guess.

use std::fmt;
use std::path::{Path, PathBuf};

/// The port libtss2 gives the TPM's side of its fake TCP connection (the one Wireshark's TPM 2.0
/// dissector recognizes).
pub const TPM_PORT: u16 = 2321;

/// `LINKTYPE_ETHERNET`, `LINKTYPE_RAW`, `LINKTYPE_IPV4`.
const LINKTYPE_ETHERNET: u16 = 1;
const LINKTYPE_RAW: u16 = 101;
const LINKTYPE_IPV4: u16 = 228;

/// Block types.
const SECTION_HEADER: u32 = 0x0A0D_0D0A;
const INTERFACE_DESCRIPTION: u32 = 0x0000_0001;
const SIMPLE_PACKET: u32 = 0x0000_0003;
const ENHANCED_PACKET: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// To the TPM.
    Command,
    /// From the TPM.
    Response,
}

/// One TPM message of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub direction: Direction,
    /// The command code of a command, the response code of a response.
    pub code: u32,
    /// The whole message.
    pub bytes: Vec<u8>,
}

/// A command and the response code it got (none if the capture ends first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    pub command: u32,
    pub response: Option<u32>,
}

impl Exchange {
    /// The command's name (`CreatePrimary`, `Sign`, ...).
    pub fn name(&self) -> String {
        command_name(self.command)
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.response {
            Some(0) => write!(f, "{}", self.name()),
            Some(code) => write!(f, "{} (answered {code:#x})", self.name()),
            None => write!(f, "{} (unanswered)", self.name()),
        }
    }
}

/// The TPM messages in the pcapng `bytes`, in order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Message>, String> {
    let mut messages = Vec::new();
    let mut rest = bytes;
    let mut offset = 0usize;
    let mut order: Option<Order> = None;
    let mut interfaces: Vec<u16> = Vec::new();
    while !rest.is_empty() {
        let at = |what: &str| format!("at byte {offset}: {what}");
        if rest.len() < 12 {
            return Err(at("a truncated block"));
        }
        let raw_type = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        if raw_type == SECTION_HEADER {
            order = Some(
                match u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]) {
                    BYTE_ORDER_MAGIC => Order::Little,
                    magic if magic.swap_bytes() == BYTE_ORDER_MAGIC => Order::Big,
                    _ => return Err(at("a section header with a bad byte-order magic")),
                },
            );
            interfaces.clear();
        }
        let Some(order) = order else {
            return Err(at("not a pcapng file (no section header first)"));
        };
        let block_type = order.u32(&rest[0..4]);
        let length = order.u32(&rest[4..8]) as usize;
        if length < 12 || !length.is_multiple_of(4) || length > rest.len() {
            return Err(at(&format!("a block of bad length {length}")));
        }
        let block = &rest[..length];
        if order.u32(&block[length - 4..]) as usize != length {
            return Err(at("a block whose trailing length differs"));
        }
        let body = &block[8..length - 4];
        match block_type {
            INTERFACE_DESCRIPTION => {
                if body.len() < 8 {
                    return Err(at("a truncated interface description"));
                }
                interfaces.push(order.u16(&body[0..2]));
            }
            ENHANCED_PACKET | SIMPLE_PACKET => {
                let (interface, data) = if block_type == ENHANCED_PACKET {
                    if body.len() < 20 {
                        return Err(at("a truncated enhanced packet block"));
                    }
                    let captured = order.u32(&body[12..16]) as usize;
                    let original = order.u32(&body[16..20]) as usize;
                    if captured != original {
                        return Err(at("a frame captured only in part"));
                    }
                    let interface = order.u32(&body[0..4]) as usize;
                    (interface, body.get(20..20 + captured))
                } else {
                    if body.len() < 4 {
                        return Err(at("a truncated simple packet block"));
                    }
                    let original = order.u32(&body[0..4]) as usize;
                    (0, body.get(4..4 + original))
                };
                let Some(data) = data else {
                    return Err(at("a frame longer than its block"));
                };
                let Some(&link_type) = interfaces.get(interface) else {
                    return Err(at(&format!("a frame on undescribed interface {interface}")));
                };
                if let Some(message) = tpm_message(link_type, data).map_err(|error| at(&error))? {
                    messages.push(message);
                }
            }
            _ => {}
        }
        offset += length;
        rest = &rest[length..];
    }
    Ok(messages)
}

/// The TPM messages in the pcapng file at `path`.
pub fn read(path: &Path) -> Result<Vec<Message>, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    parse(&bytes).map_err(|error| format!("{}: {error}", path.display()))
}

/// The commands of `messages`, each with the response code that follows it.
pub fn exchanges(messages: &[Message]) -> Result<Vec<Exchange>, String> {
    let mut exchanges: Vec<Exchange> = Vec::new();
    for message in messages {
        match message.direction {
            Direction::Command => {
                if let Some(last) = exchanges.last() {
                    if last.response.is_none() {
                        return Err(format!("{} was never answered", last.name()));
                    }
                }
                exchanges.push(Exchange {
                    command: message.code,
                    response: None,
                });
            }
            Direction::Response => match exchanges.last_mut() {
                Some(last) if last.response.is_none() => last.response = Some(message.code),
                _ => return Err(format!("a response ({:#x}) to no command", message.code)),
            },
        }
    }
    Ok(exchanges)
}

/// A capture file being written, read a part at a time: each [`take`](Self::take) returns the
/// exchanges recorded since the last.
pub struct PcapLog {
    path: PathBuf,
    seen: usize,
}

impl PcapLog {
    /// The capture at `path` (which need not exist yet), from its start.
    pub fn new(path: impl Into<PathBuf>) -> PcapLog {
        PcapLog {
            path: path.into(),
            seen: 0,
        }
    }

    /// The capture at `path`, from what it holds now: the first [`take`](Self::take) returns
    /// only what is recorded after this.
    pub fn from_now(path: impl Into<PathBuf>) -> PcapLog {
        let mut log = PcapLog::new(path);
        log.take();
        log
    }

    /// Where the capture is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The exchanges recorded since the last call (libtss2 writes each frame with one
    /// `write(2)` before the command returns, so all of an operation's are there once it has
    /// returned).
    pub fn take(&mut self) -> Vec<Exchange> {
        let messages = if self.path.exists() {
            read(&self.path).unwrap_or_else(|error| panic!("the TPM capture: {error}"))
        } else {
            Vec::new()
        };
        let all = exchanges(&messages).unwrap_or_else(|error| panic!("the TPM capture: {error}"));
        let new = all.get(self.seen..).unwrap_or_default().to_vec();
        self.seen = all.len();
        new
    }

    /// [`take`](Self::take)'s exchanges as text: each command's name, and the response code
    /// when it is not success (`Sign`, `ReadPublic (answered 0x18b)`).
    pub fn take_text(&mut self) -> Vec<String> {
        self.take().iter().map(Exchange::to_string).collect()
    }
}

/// The name of a TPM 2.0 command code, without `TPM2_` (`CreatePrimary`, `Sign`, ...).
pub fn command_name(code: u32) -> String {
    let name = match code {
        0x11F => "NV_UndefineSpaceSpecial",
        0x120 => "EvictControl",
        0x12C => "Clear",
        0x131 => "CreatePrimary",
        0x147 => "ActivateCredential",
        0x148 => "Certify",
        0x14E => "NV_Read",
        0x151 => "PolicySecret",
        0x144 => "Startup",
        0x145 => "Shutdown",
        0x153 => "Create",
        0x157 => "Load",
        0x15D => "Sign",
        0x161 => "ContextLoad",
        0x162 => "ContextSave",
        0x165 => "FlushContext",
        0x169 => "NV_ReadPublic",
        0x173 => "ReadPublic",
        0x176 => "StartAuthSession",
        0x17A => "GetCapability",
        0x17B => "GetRandom",
        0x17E => "PCR_Read",
        other => return format!("{other:#x}"),
    };
    name.to_owned()
}

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, bytes: &[u8]) -> u16 {
        let bytes = [bytes[0], bytes[1]];
        match self {
            Order::Little => u16::from_le_bytes(bytes),
            Order::Big => u16::from_be_bytes(bytes),
        }
    }

    fn u32(self, bytes: &[u8]) -> u32 {
        let bytes = [bytes[0], bytes[1], bytes[2], bytes[3]];
        match self {
            Order::Little => u32::from_le_bytes(bytes),
            Order::Big => u32::from_be_bytes(bytes),
        }
    }
}

/// The TPM message in one captured frame, if it carries data.
fn tpm_message(link_type: u16, frame: &[u8]) -> Result<Option<Message>, String> {
    let ip = match link_type {
        LINKTYPE_IPV4 | LINKTYPE_RAW => frame,
        LINKTYPE_ETHERNET => match frame {
            [_, _, _, _, _, _, _, _, _, _, _, _, 0x08, 0x00, ip @ ..] => ip,
            _ => return Err("an Ethernet frame that is not IPv4".into()),
        },
        other => return Err(format!("link type {other}, not IPv4")),
    };
    let [version_ihl, ..] = ip else {
        return Err("an empty frame".into());
    };
    let header = usize::from(version_ihl & 0x0F) * 4;
    if version_ihl >> 4 != 4 || header < 20 || ip.len() < header {
        return Err("a frame that is not IPv4".into());
    }
    if ip[9] != 6 {
        return Err(format!("IP protocol {}, not TCP", ip[9]));
    }
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let tcp = ip
        .get(header..total)
        .ok_or("an IPv4 frame shorter than its total length")?;
    if tcp.len() < 20 {
        return Err("a truncated TCP header".into());
    }
    let source = u16::from_be_bytes([tcp[0], tcp[1]]);
    let destination = u16::from_be_bytes([tcp[2], tcp[3]]);
    let data_offset = usize::from(tcp[12] >> 4) * 4;
    let payload = tcp
        .get(data_offset..)
        .ok_or("a TCP header longer than its frame")?;
    if payload.is_empty() {
        return Ok(None);
    }
    let direction = match (source, destination) {
        (_, TPM_PORT) => Direction::Command,
        (TPM_PORT, _) => Direction::Response,
        _ => return Err(format!("a frame from port {source} to port {destination}")),
    };
    if payload.len() < 10 {
        return Err(format!("a TPM message of {} bytes", payload.len()));
    }
    let size = u32::from_be_bytes([payload[2], payload[3], payload[4], payload[5]]) as usize;
    if size != payload.len() {
        return Err(format!(
            "a TPM message whose size field says {size} in a frame of {} bytes",
            payload.len()
        ));
    }
    Ok(Some(Message {
        direction,
        code: u32::from_be_bytes([payload[6], payload[7], payload[8], payload[9]]),
        bytes: payload.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real capture: `tpm2_getrandom --hex 4` through `pcap:swtpm:...` with libtss2 3.2.1 (the
    /// tools ask `TPM2_GetCapability` first): a section header, an interface description and
    /// four enhanced packet blocks, two commands and their answers.
    const GETRANDOM: &str = concat!(
        "0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c0000000100000014000000e400000000000000",
        "1400000006000000600000000000000094610600731781553e0000003e0000004500003e00004000ff060000",
        "d7cff09eefe0870ac3500911702048323f0ac27d5010ffff000000008001000000160000017a000000060000",
        "01000000007f00006000000006000000cc0100000000000094610600ce178155ab010000ab010000450001ab",
        "00004000ff060000efe0870ad7cff09e0911c3503f0ac27d702048485010ffff000000008001000001830000",
        "000000000000060000002e00000100322e3000000001010000000000000102000000a4000001030000004b00",
        "000104000007e50000010549424d000000010653572020000001072054504d00000108000000000000010900",
        "0000000000010a000000010000010b201910230000010c001636360000010d000004000000010e0000000300",
        "00010f0000000700000110000000030000011100000040000001120000001800000113000000030000011400",
        "00ffff00000116000000000000011700000800000001180000000600000119000010000000011a0000000d00",
        "00011b000000060000011c000001000000011d000000ff0000011e000010000000011f000010000000012000",
        "0000400000012100000a84000001220000019400000123322e3000000001240000000000000125000000a400",
        "0001260000004b00000127000007e50000012800000080000001290000006e0000012a0000006e0000012b00",
        "0000000000012c000004000000012d000000000000012e0000040000cc010000060000005400000000000000",
        "94610600e717815534000000340000004500003400004000ff060000d7cff09eefe0870ac350091170204848",
        "3f0ac4005010ffff0000000080010000000c0000017b00045400000006000000580000000000000094610600",
        "1818815538000000380000004500003800004000ff060000efe0870ad7cff09e0911c3503f0ac40070204854",
        "5010ffff0000000080010000001000000000000416d6787158000000",
    );

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
            .collect()
    }

    /// One TPM message as libtss2 frames it.
    fn frame(order: Order, direction: Direction, message: &[u8]) -> Vec<u8> {
        let (source, destination) = match direction {
            Direction::Command => (50000u16, TPM_PORT),
            Direction::Response => (TPM_PORT, 50000u16),
        };
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, 0xff, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        ];
        let total = (20 + 20 + message.len()) as u16;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&source.to_be_bytes());
        ip.extend_from_slice(&destination.to_be_bytes());
        ip.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0]);
        ip.extend_from_slice(message);
        let mut body = Vec::new();
        for field in [0u32, 0, 0, ip.len() as u32, ip.len() as u32] {
            body.extend_from_slice(&order.bytes(field));
        }
        body.extend_from_slice(&ip);
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        block(order, ENHANCED_PACKET, &body)
    }

    fn block(order: Order, block_type: u32, body: &[u8]) -> Vec<u8> {
        let length = (12 + body.len()) as u32;
        let mut bytes = order.bytes(block_type).to_vec();
        bytes.extend_from_slice(&order.bytes(length));
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(&order.bytes(length));
        bytes
    }

    fn section(order: Order) -> Vec<u8> {
        let mut shb = order.bytes(BYTE_ORDER_MAGIC).to_vec();
        shb.extend_from_slice(&order.bytes(1)); // version 1.0
        shb.extend_from_slice(&[0xff; 8]);
        let mut bytes = block(order, SECTION_HEADER, &shb);
        let mut idb = match order {
            Order::Little => LINKTYPE_IPV4.to_le_bytes(),
            Order::Big => LINKTYPE_IPV4.to_be_bytes(),
        }
        .to_vec();
        idb.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        bytes.extend(block(order, INTERFACE_DESCRIPTION, &idb));
        bytes
    }

    impl Order {
        fn bytes(self, value: u32) -> [u8; 4] {
            match self {
                Order::Little => value.to_le_bytes(),
                Order::Big => value.to_be_bytes(),
            }
        }
    }

    const SIGN: [u8; 10] = [0x80, 0x02, 0, 0, 0, 10, 0, 0, 0x01, 0x5D];
    const SUCCESS: [u8; 10] = [0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0];

    #[test]
    fn libtss2s_own_capture_reads_as_its_command() {
        let messages = parse(&hex(GETRANDOM)).unwrap();
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[0].direction, Direction::Command);
        assert_eq!(messages[1].direction, Direction::Response);
        let exchanges = exchanges(&messages).unwrap();
        let names: Vec<String> = exchanges.iter().map(Exchange::to_string).collect();
        assert_eq!(names, ["GetCapability", "GetRandom"]);
        // GetRandom's answer: tag, size 16, success, then a TPM2B of the 4 bytes asked for.
        assert_eq!(messages[3].bytes.len(), 16);
        assert_eq!(&messages[3].bytes[10..12], &[0, 4]);
    }

    #[test]
    fn sections_of_either_byte_order_follow_each_other() {
        let mut file = Vec::new();
        for order in [Order::Little, Order::Big] {
            file.extend(section(order));
            file.extend(frame(order, Direction::Command, &SIGN));
            file.extend(frame(order, Direction::Response, &SUCCESS));
        }
        let exchanges = exchanges(&parse(&file).unwrap()).unwrap();
        assert_eq!(exchanges.len(), 2);
        for exchange in exchanges {
            assert_eq!(exchange.to_string(), "Sign");
        }
    }

    #[test]
    fn what_is_not_one_whole_tpm_message_per_frame_is_refused() {
        let mut file = section(Order::Little);
        file.extend(frame(Order::Little, Direction::Command, &SIGN[..8]));
        assert!(parse(&file).unwrap_err().contains("8 bytes"));
        let mut file = section(Order::Little);
        file.extend(frame(
            Order::Little,
            Direction::Command,
            &[SIGN, SIGN].concat(),
        ));
        assert!(parse(&file).unwrap_err().contains("size field"));
        assert!(parse(&[1, 0, 0, 0]).unwrap_err().contains("truncated"));
        let mut not_pcapng = vec![0u8; 16];
        not_pcapng[4] = 16;
        not_pcapng[12] = 16;
        assert!(parse(&not_pcapng).unwrap_err().contains("section header"));
        // A block cut short, and two commands with no answer between them.
        let whole = [
            section(Order::Little),
            frame(Order::Little, Direction::Command, &SIGN),
        ]
        .concat();
        assert!(parse(&whole[..whole.len() - 4]).is_err());
        let twice = [
            whole.clone(),
            frame(Order::Little, Direction::Command, &SIGN),
        ]
        .concat();
        assert!(exchanges(&parse(&twice).unwrap())
            .unwrap_err()
            .contains("never answered"));
    }
}
