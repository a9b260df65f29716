//! SQLite's memory, from Rust's allocator.
//!
//! The bundled SQLite allocates with the C library's malloc. In a bulk import, malloc, free
//! and their bookkeeping were an eighth of the writer thread's time (perf, `bench import`).
//! Routed through Rust's global allocator (mimalloc in the `leadline` binary), SQLite's
//! allocations cost what the rest of the program's do. (Its memory statistics, which would
//! take a global mutex per allocation, are compiled out: see `.cargo/config.toml`.)
//!
//! An earlier version of this hook was removed (3c846ba) when a slower machine showed no
//! difference; measured again with interleaved runs, the import's user time was about 8%
//! lower with it (three runs each way), so it is back.
//!
//! SQLite needs the size of an allocation back from its pointer, which Rust's allocator API
//! does not offer, so each block carries its size in a header in front of it.

use std::alloc::{alloc, dealloc, realloc, Layout};
use std::ffi::{c_int, c_void};
use std::sync::Once;

use libsqlite3_sys as ffi;

/// SQLite wants 8-byte aligned memory; the header keeps the block after it aligned as well.
const HEADER: usize = 8;
const ALIGN: usize = 8;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// Install the allocator before the first connection opens SQLite. SQLite refuses
/// configuration once it is initialised (another part of the process opened a database
/// first); it then keeps its own allocator, which is only slower.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(x_malloc),
            xFree: Some(x_free),
            xRealloc: Some(x_realloc),
            xSize: Some(x_size),
            xRoundup: Some(x_roundup),
            xInit: Some(x_init),
            xShutdown: Some(x_shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: the call happens before SQLite is initialised, or fails harmlessly with
        // SQLITE_MISUSE after; SQLite copies the methods struct, and its functions keep the
        // contract below for as long as the process lives.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods);
        }
    });
}

/// The size stored in front of a block SQLite holds.
///
/// # Safety
/// `p` came from `x_malloc` or `x_realloc` and is not freed.
unsafe fn size_of_block(p: *mut c_void) -> usize {
    // SAFETY: per the contract, a header written by `x_malloc`/`x_realloc` lies just before `p`.
    unsafe { p.cast::<u8>().sub(HEADER).cast::<usize>().read() }
}

/// Write the header at `base` and return the block after it.
///
/// # Safety
/// `base` is null or points to at least `HEADER + size` bytes aligned to `ALIGN`.
unsafe fn finish(base: *mut u8, size: usize) -> *mut c_void {
    if base.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: per the contract, `base` has room for the header and is aligned for a usize.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    let Some(layout) = usize::try_from(n).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout is never zero-sized (it includes the header); `finish` gets what
    // `alloc` returned for `HEADER + n` bytes.
    unsafe { finish(alloc(layout), layout.size() - HEADER) }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: SQLite frees only blocks it got from `x_malloc`/`x_realloc`, once; the layout is
    // the one they allocated with.
    unsafe {
        let size = size_of_block(p);
        dealloc(p.cast::<u8>().sub(HEADER), layout(size).expect("a stored size fits its layout"));
    }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    if p.is_null() {
        // SAFETY: forwarding SQLite's own call.
        return unsafe { x_malloc(n) };
    }
    let Some(new) = usize::try_from(n).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `p` is a live block of ours (SQLite's contract), so its header names the layout
    // it was allocated with; on failure `realloc` leaves it untouched, as SQLite expects.
    unsafe {
        let size = size_of_block(p);
        let old = layout(size).expect("a stored size fits its layout");
        finish(realloc(p.cast::<u8>().sub(HEADER), old, new.size()), new.size() - HEADER)
    }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SAFETY: SQLite asks only about live blocks of ours.
    let size = unsafe { size_of_block(p) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

extern "C" fn x_roundup(n: c_int) -> c_int {
    n.saturating_add(ALIGN as c_int - 1) & !(ALIGN as c_int - 1)
}

extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

extern "C" fn x_shutdown(_: *mut c_void) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_size_through_realloc() {
        // SAFETY: the calls follow SQLite's contract: sizes read from live blocks, each block
        // freed once.
        unsafe {
            let p = x_malloc(13);
            assert!(!p.is_null());
            assert_eq!(p as usize % ALIGN, 0);
            assert_eq!(x_size(p), 13);
            p.cast::<u8>().write_bytes(7, 13);
            let q = x_realloc(p, 4000);
            assert_eq!(x_size(q), 4000);
            assert_eq!(std::slice::from_raw_parts(q.cast::<u8>(), 13), &[7; 13]);
            let r = x_realloc(q, 5);
            assert_eq!(x_size(r), 5);
            assert_eq!(std::slice::from_raw_parts(r.cast::<u8>(), 5), &[7; 5]);
            x_free(r);
            x_free(std::ptr::null_mut());
            assert!(x_malloc(-1).is_null());
            assert_eq!(x_roundup(13), 16);
            assert_eq!(x_roundup(16), 16);
        }
    }
}
