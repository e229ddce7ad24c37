//! Newline-delimited framing with a bounded line length: a line longer than the limit is
//! reported once and the rest of it is skipped without being buffered.

use tokio::io::{AsyncBufRead, AsyncBufReadExt as _};

/// The longest line a connection accepts, in bytes, not counting the newline: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// What the reader found next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A complete line, without its newline.
    Text(Vec<u8>),
    /// A line went past the limit; its remaining bytes, up to the next newline, are skipped.
    TooLong,
}

/// Reads lines of at most `limit` bytes from `reader`.
#[derive(Debug)]
pub(crate) struct LineReader<R> {
    reader: R,
    limit: usize,
    buffer: Vec<u8>,
    skipping: bool,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    /// A reader of lines of at most `limit` bytes.
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        LineReader {
            reader,
            limit,
            buffer: Vec::new(),
            skipping: false,
        }
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
                return Ok(Some(Line::Text(std::mem::take(&mut self.buffer))));
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
            if self.buffer.len() + chunk.len() > self.limit {
                self.buffer = Vec::new();
                self.skipping = newline.is_none();
                self.reader.consume(take);
                return Ok(Some(Line::TooLong));
            }
            self.buffer.extend_from_slice(chunk);
            self.reader.consume(take);
            if newline.is_some() {
                return Ok(Some(Line::Text(std::mem::take(&mut self.buffer))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], limit: usize) -> Vec<Line> {
        let reader = tokio::io::BufReader::with_capacity(4, input);
        let mut lines = LineReader::new(reader, limit);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_a_last_line_without_newline() {
        assert_eq!(
            lines(b"ab\n\ncdefgh\nij", 10).await,
            vec![
                Line::Text(b"ab".to_vec()),
                Line::Text(Vec::new()),
                Line::Text(b"cdefgh".to_vec()),
                Line::Text(b"ij".to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn a_long_line_is_reported_once_and_skipped() {
        assert_eq!(
            lines(b"0123456789abcdef\nok\n0123456789\n", 5).await,
            vec![Line::TooLong, Line::Text(b"ok".to_vec()), Line::TooLong]
        );
        assert_eq!(
            lines(b"12345\n123456", 5).await,
            vec![Line::Text(b"12345".to_vec()), Line::TooLong]
        );
    }
}
