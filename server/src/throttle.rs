//! Keeping a failing loop cheap: an exponential backoff, and a log throttle that lets one line
//! through per interval and counts the ones it held back.

use std::time::{Duration, Instant};

/// How often a repeated warning (accept failures, a full connection limit, an exhausted line
/// budget) is written at most: once per 10 s, with the count of the ones held back.
pub(crate) const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// An exponential backoff: `min`, doubling up to `max`, back to `min` after a success.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// A backoff from `min` to `max`.
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max,
            next: min,
        }
    }

    /// How long to wait after another failure.
    pub(crate) fn fail(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    /// Starts again from `min`.
    pub(crate) fn succeed(&mut self) {
        self.next = self.min;
    }
}

/// Lets a repeated log line through at most once per interval.
#[derive(Debug, Clone)]
pub(crate) struct LogThrottle {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl LogThrottle {
    /// A throttle of one line per `interval`.
    pub(crate) fn new(interval: Duration) -> Self {
        LogThrottle {
            interval,
            last: None,
            suppressed: 0,
        }
    }

    /// Whether to log this occurrence now: `Some(n)` with the number of occurrences held back
    /// since the last line, or `None` to stay quiet (counted).
    pub(crate) fn allow(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_to_its_maximum_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(1));
        let waits: Vec<u128> = (0..9).map(|_| backoff.fail().as_millis()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeed();
        assert_eq!(backoff.fail(), Duration::from_millis(10));
    }

    #[test]
    fn the_throttle_lets_one_line_through_per_interval_and_counts_the_rest() {
        let mut throttle = LogThrottle::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(throttle.allow(start), Some(0));
        for n in 1..=1000 {
            assert_eq!(throttle.allow(start + Duration::from_millis(n)), None);
        }
        assert_eq!(throttle.allow(start + Duration::from_secs(10)), Some(1000));
        assert_eq!(throttle.allow(start + Duration::from_secs(11)), None);
        assert_eq!(throttle.allow(start + Duration::from_secs(21)), Some(1));
    }
}
