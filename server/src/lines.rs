//! Newline-delimited framing with a bounded line length: a line longer than the limit is
//! reported once and the rest of it is skipped without being buffered.
//!
//! The memory of long lines is bounded across connections too: a line longer than
//! [`SHORT_LINE_BYTES`](crate::options::SHORT_LINE_BYTES) is buffered only after its connection
//! reserved room for a whole line in the server's [`LineBudget`], and the reservation travels
//! with the line until the request it holds has been validated. When the budget stays exhausted
//! for its timeout, the line is skipped instead ([`Line::Busy`]). Long lines are parsed by one
//! thread of their own ([`LongLineParser`]), and only one of them is held parsed at a time: the
//! parsed form of a long line costs far more than its text (a megabyte of `[0,0,…]` is half a
//! million 32-byte values, in a vector that doubles as it grows), so the next long line waits,
//! as text within the budget, until the previous one's request has been validated.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use devicekey_proof::{parse_strict, StrictParseError};
use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// The longest line a connection accepts, in bytes, not counting the newline: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// What the reader found next.
#[derive(Debug)]
pub(crate) enum Line {
    /// A complete line, without its newline.
    Text(Text),
    /// A line went past the limit; its remaining bytes, up to the next newline, are skipped.
    TooLong,
    /// A long line found no room in the line budget in time; its remaining bytes, up to the
    /// next newline, are skipped.
    Busy,
}

/// A complete line and, for a long one, its share of the line budget: keep it while the line
/// or what was parsed from it is alive.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) bytes: Vec<u8>,
    pub(crate) reservation: Option<Reservation>,
}

/// A long line's share of the line budget and, once [`LongLineParser::parse`] parsed it, the
/// parser's one slot for a parsed long line: both are given back when this is dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    _line: OwnedSemaphorePermit,
    parsed: Option<OwnedSemaphorePermit>,
}

/// The server-wide budget of bytes of long lines in flight.
#[derive(Debug, Clone)]
pub(crate) struct LineBudget {
    permits: Arc<Semaphore>,
    /// What one long line reserves: the longest line, at most the whole budget.
    per_line: u32,
    /// Lines up to this long need no reservation.
    short: usize,
    /// How long a reader waits for room.
    wait: Duration,
}

impl LineBudget {
    /// A budget of `total` bytes for lines of at most `max_line` bytes; lines up to `short`
    /// bytes need none of it, and a reader waits up to `wait` for room.
    pub(crate) fn new(total: usize, max_line: usize, short: usize, wait: Duration) -> Self {
        let total = total.clamp(1, u32::MAX as usize);
        LineBudget {
            permits: Arc::new(Semaphore::new(total)),
            per_line: max_line.clamp(1, total) as u32,
            short,
            wait,
        }
    }

    /// The longest line a reader can hold under this budget.
    fn longest_line(&self, max_line: usize) -> usize {
        max_line.min((self.per_line as usize).max(self.short))
    }

    /// Room for one long line, or `None` when none came free in time.
    async fn reserve(&self) -> Option<Reservation> {
        let permits = Arc::clone(&self.permits);
        match tokio::time::timeout(self.wait, permits.acquire_many_owned(self.per_line)).await {
            Ok(Ok(permit)) => Some(Reservation {
                _line: permit,
                parsed: None,
            }),
            Ok(Err(_)) | Err(_) => None,
        }
    }

    /// The bytes not reserved at the moment (for tests).
    #[cfg(test)]
    pub(crate) fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

/// Parses long lines on a thread of its own, one at a time: parsing a megabyte of JSON neither
/// holds up the async workers that serve every other connection nor spreads its large
/// allocations over the allocator arenas of many threads (which keep the memory afterwards).
/// The thread starts with the first long line and ends with the server.
///
/// One parsed long line is alive at a time: [`parse`](Self::parse) waits for the previous one's
/// [`Reservation`] to be dropped.
#[derive(Debug)]
pub(crate) struct LongLineParser {
    jobs: OnceLock<std::sync::mpsc::Sender<ParseJob>>,
    parsed: Arc<Semaphore>,
}

impl Default for LongLineParser {
    fn default() -> Self {
        LongLineParser {
            jobs: OnceLock::new(),
            parsed: Arc::new(Semaphore::new(1)),
        }
    }
}

type ParseJob = (Vec<u8>, oneshot::Sender<Result<Value, StrictParseError>>);

impl LongLineParser {
    /// Parses `bytes` strictly ([`parse_strict`]), here when the parser thread could not be
    /// started; `None` if it failed while parsing them. Waits first until no other parsed long
    /// line is alive, then keeps the parser's slot in `reservation`: drop it once the value is.
    pub(crate) async fn parse(
        &self,
        bytes: Vec<u8>,
        reservation: &mut Reservation,
    ) -> Option<Result<Value, StrictParseError>> {
        reservation.parsed = Some(Arc::clone(&self.parsed).acquire_owned().await.ok()?);
        let jobs = self.jobs.get_or_init(|| {
            let (jobs, queue) = std::sync::mpsc::channel::<ParseJob>();
            let started = std::thread::Builder::new()
                .name("devicekey-long-lines".to_owned())
                .spawn(move || {
                    for (bytes, reply) in queue {
                        let _ = reply.send(parse_strict(&bytes));
                    }
                });
            if let Err(error) = started {
                tracing::warn!(%error, "cannot start the thread that parses long lines");
            }
            jobs
        });
        let (reply, parsed) = oneshot::channel();
        match jobs.send((bytes, reply)) {
            Ok(()) => parsed.await.ok(),
            Err(std::sync::mpsc::SendError((bytes, _))) => Some(parse_strict(&bytes)),
        }
    }
}

/// Reads lines of at most `limit` bytes from `reader`.
#[derive(Debug)]
pub(crate) struct LineReader<R> {
    reader: R,
    limit: usize,
    budget: Option<LineBudget>,
    buffer: Vec<u8>,
    reservation: Option<Reservation>,
    skipping: bool,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    /// A reader of lines of at most `limit` bytes; with a `budget`, lines longer than its short
    /// length are buffered only within it.
    pub(crate) fn new(reader: R, limit: usize, budget: Option<LineBudget>) -> Self {
        let limit = match &budget {
            Some(budget) => budget.longest_line(limit),
            None => limit,
        };
        LineReader {
            reader,
            limit,
            budget,
            buffer: Vec::new(),
            reservation: None,
            skipping: false,
        }
    }

    /// The longest line read whole: `limit`, or less when the line budget is smaller.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The next line, or `None` at the end of the input. A last line without a newline counts.
    pub(crate) async fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                self.skipping = false;
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.take_text()));
            }
            let newline = available.iter().position(|&byte| byte == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            let chunk = &available[..newline.unwrap_or(available.len())];
            if self.skipping {
                self.reader.consume(take);
                if newline.is_some() {
                    self.skipping = false;
                }
                continue;
            }
            let length = self.buffer.len() + chunk.len();
            if length > self.limit {
                self.skip_rest(newline.is_none(), take);
                return Ok(Some(Line::TooLong));
            }
            if let Some(budget) = &self.budget {
                if length > budget.short && self.reservation.is_none() {
                    // Nothing is read while waiting: the client's bytes stay in the socket.
                    match budget.reserve().await {
                        Some(reservation) => self.reservation = Some(reservation),
                        None => {
                            // The chunk was borrowed across the wait: read it again.
                            let available = self.reader.fill_buf().await?;
                            let newline = available.iter().position(|&byte| byte == b'\n');
                            let take = newline.map_or(available.len(), |at| at + 1);
                            self.skip_rest(newline.is_none(), take);
                            return Ok(Some(Line::Busy));
                        }
                    }
                    continue;
                }
            }
            self.buffer.extend_from_slice(chunk);
            self.reader.consume(take);
            if newline.is_some() {
                return Ok(Some(self.take_text()));
            }
        }
    }

    fn take_text(&mut self) -> Line {
        Line::Text(Text {
            bytes: std::mem::take(&mut self.buffer),
            reservation: self.reservation.take(),
        })
    }

    /// Forgets the line so far, consumes `take` bytes, and skips on to the next newline when
    /// `unfinished`.
    fn skip_rest(&mut self, unfinished: bool, take: usize) {
        self.buffer = Vec::new();
        self.reservation = None;
        self.skipping = unfinished;
        self.reader.consume(take);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Got {
        Text(Vec<u8>, bool),
        TooLong,
        Busy,
    }

    fn got(line: Line) -> Got {
        match line {
            Line::Text(text) => Got::Text(text.bytes, text.reservation.is_some()),
            Line::TooLong => Got::TooLong,
            Line::Busy => Got::Busy,
        }
    }

    fn text(bytes: &[u8]) -> Got {
        Got::Text(bytes.to_vec(), false)
    }

    async fn lines(input: &[u8], limit: usize) -> Vec<Got> {
        let reader = tokio::io::BufReader::with_capacity(4, input);
        let mut lines = LineReader::new(reader, limit, None);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            out.push(got(line));
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_a_last_line_without_newline() {
        assert_eq!(
            lines(b"ab\n\ncdefgh\nij", 10).await,
            vec![text(b"ab"), text(b""), text(b"cdefgh"), text(b"ij")]
        );
    }

    #[tokio::test]
    async fn a_long_line_is_reported_once_and_skipped() {
        assert_eq!(
            lines(b"0123456789abcdef\nok\n0123456789\n", 5).await,
            vec![Got::TooLong, text(b"ok"), Got::TooLong]
        );
        assert_eq!(
            lines(b"12345\n123456", 5).await,
            vec![text(b"12345"), Got::TooLong]
        );
    }

    #[tokio::test]
    async fn long_lines_are_buffered_only_within_the_shared_budget() {
        // Lines up to 4 bytes are free; a longer one reserves 10 of the 20 bytes.
        let budget = LineBudget::new(20, 10, 4, Duration::from_millis(50));
        let reader = |input: &'static [u8]| {
            LineReader::new(
                tokio::io::BufReader::with_capacity(2, input),
                100,
                Some(budget.clone()),
            )
        };
        let mut first = reader(b"abcdefgh\n");
        let mut second = reader(b"ijklmnop\n");
        let mut third = reader(b"qrstuvwx\nyz\nabcdefghijk\n");
        let one = first.next_line().await.unwrap().unwrap();
        let two = second.next_line().await.unwrap().unwrap();
        assert_eq!(budget.available(), 0);
        // The third waits, gives up, skips its long line, and still reads short ones; a line
        // longer than one reservation is too long.
        assert_eq!(got(third.next_line().await.unwrap().unwrap()), Got::Busy);
        assert_eq!(got(third.next_line().await.unwrap().unwrap()), text(b"yz"));
        drop(one);
        assert_eq!(got(third.next_line().await.unwrap().unwrap()), Got::TooLong);
        assert_eq!(got(two), Got::Text(b"ijklmnop".to_vec(), true));
        assert_eq!(budget.available(), 20);
    }

    /// A second long line is parsed only once the first one's reservation (and so its parsed
    /// value) is gone.
    #[tokio::test]
    async fn one_parsed_long_line_is_alive_at_a_time() {
        let budget = LineBudget::new(20, 10, 4, Duration::from_millis(50));
        let parser = Arc::new(LongLineParser::default());
        let mut first = budget.reserve().await.unwrap();
        let mut second = budget.reserve().await.unwrap();
        let parsed = parser.parse(b"[0,0]".to_vec(), &mut first).await;
        assert_eq!(parsed.unwrap().unwrap(), serde_json::json!([0, 0]));
        let waiting = {
            let parser = Arc::clone(&parser);
            tokio::spawn(async move {
                let parsed = parser.parse(b"[1]".to_vec(), &mut second).await;
                (parsed.unwrap().unwrap(), second)
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiting.is_finished(),
            "parsed while another parsed line is alive"
        );
        drop(first);
        let (value, second) = tokio::time::timeout(Duration::from_secs(8), waiting)
            .await
            .expect("parsed once the first line is gone")
            .unwrap();
        assert_eq!(value, serde_json::json!([1]));
        drop(second);
        assert_eq!(budget.available(), 20);
        assert_eq!(parser.parsed.available_permits(), 1);
    }
}
