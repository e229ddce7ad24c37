//! Calls whose panics are errors to report, not bugs to print: the type generator (typify) panics
//! on some schemas it cannot express, which the generator turns into an error naming the schemas.
//!
//! [`catch`] catches such a panic and keeps the panic hook from printing its default report, for
//! the calling thread only: a panic on any other thread goes to the hook that was installed before
//! the first call, as it would have.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls this thread is inside.
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

/// Installs, once, a hook that passes every report to the hook before it unless its thread is
/// inside [`catch`].
static HOOK: Once = Once::new();

/// Runs `f`; a panic in it is `Err` with the panic's message, and is not reported on stderr.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // A thread whose locals are being torn down is not inside `catch`.
            if QUIET.try_with(Cell::get).unwrap_or(0) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.with(|depth| depth.set(depth.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|depth| depth.set(depth.get() - 1));
    result.map_err(|payload| message(payload.as_ref()))
}

/// The text a panic was raised with (`panic!("…")` gives a `&str` or a `String`).
fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_its_message_and_a_value_passes_through() {
        assert_eq!(catch(|| 7), Ok(7));
        assert_eq!(
            catch(|| -> u8 { panic!("no {}", "luck") }),
            Err("no luck".to_owned())
        );
        let nested = catch(|| catch(|| -> u8 { panic!("inner") }));
        assert_eq!(nested, Ok(Err("inner".to_owned())));
        // The depth is back to zero: a panic outside `catch` is reported again.
        assert_eq!(QUIET.with(Cell::get), 0);
    }
}
