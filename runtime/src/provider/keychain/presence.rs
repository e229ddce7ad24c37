//! The reuse policy of user-presence authentication contexts: one context serves every signature
//! for [`PRESENCE_REUSE_SECONDS`] after it was made, then a fresh one (and a fresh prompt) follows.
//!
//! On macOS the context is an `LAContext` whose `touchIDAuthenticationAllowableReuseDuration` is
//! set to the same 300 seconds (the system maximum), passed to the key lookup as
//! `kSecUseAuthenticationContext`, so the prompt answered for one signature covers the next ones.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::clock::Clock;

/// How long one authentication context is reused, in seconds (the system's maximum).
pub const PRESENCE_REUSE_SECONDS: i64 = 300;

/// The current authentication context and when it was made.
pub struct PresenceContexts<C> {
    clock: Arc<dyn Clock>,
    current: Mutex<Option<(i64, Arc<C>)>>,
}

impl<C> PresenceContexts<C> {
    /// No context yet; time comes from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        PresenceContexts {
            clock,
            current: Mutex::new(None),
        }
    }

    /// The current context if it is younger than [`PRESENCE_REUSE_SECONDS`], else a new one from
    /// `make` (which then becomes current). A clock that went backwards also renews.
    pub fn current_or_renew<E>(&self, make: impl FnOnce() -> Result<C, E>) -> Result<Arc<C>, E> {
        let now = self.clock.now_unix_seconds();
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((since, context)) = current.as_ref() {
            let age = now.saturating_sub(*since);
            if (0..PRESENCE_REUSE_SECONDS).contains(&age) {
                return Ok(Arc::clone(context));
            }
        }
        let context = Arc::new(make()?);
        *current = Some((now, Arc::clone(&context)));
        Ok(context)
    }

    /// Forgets the current context, so the next signature prompts again.
    pub fn invalidate(&self) {
        *self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

impl<C> fmt::Debug for PresenceContexts<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let since = self
            .current
            .lock()
            .map(|current| current.as_ref().map(|(since, _)| *since))
            .unwrap_or(None);
        f.debug_struct("PresenceContexts")
            .field("current_since", &since)
            .finish()
    }
}
