//! Deep recursion without overflow. Go's goroutine stacks grow as needed, so Go parses and runs
//! templates nested thousands deep (and prints values nested as deep); ours are fixed. Each
//! recursive step of the parser, the executor and the value printers goes through [`deep`],
//! which moves the rest of the recursion onto a fresh stack segment when this one runs low.

/// What must be left of the stack before a step runs on it.
const RED_ZONE: usize = 256 * 1024;
/// The size of each further segment.
const SEGMENT: usize = 8 << 20;

/// Runs `f`, on a new stack segment when less than [`RED_ZONE`] is left.
#[inline]
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
