fn main() {
    let startup = xsuaa_lint::cli::Startup { stdout_closed: startup::stdout_was_closed() };
    std::process::exit(xsuaa_lint::cli::main_with(startup));
}

/// Whether standard output was closed when the process started (`xsuaa-lint check >&-`).
///
/// Before `main`, Rust's runtime opens `/dev/null` on each of the descriptors 0-2 that is closed,
/// after which the report would be written into nothing and the run would look successful. A
/// constructor (run by the loader before the runtime starts) looks at descriptor 1 first.
#[cfg(unix)]
mod startup {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);
    const EBADF: i32 = 9;

    extern "C" fn look() {
        use std::os::fd::FromRawFd;
        // SAFETY: descriptor 1 is only inspected (fstat), never closed: the File is not dropped.
        let stdout = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
        if stdout.metadata().is_err_and(|e| e.raw_os_error() == Some(EBADF)) {
            CLOSED.store(true, Ordering::Relaxed);
        }
    }

    #[used]
    #[cfg_attr(target_vendor = "apple", link_section = "__DATA,__mod_init_func")]
    #[cfg_attr(not(target_vendor = "apple"), link_section = ".init_array")]
    static LOOK: extern "C" fn() = look;

    pub fn stdout_was_closed() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }
}

#[cfg(not(unix))]
mod startup {
    pub fn stdout_was_closed() -> bool {
        false
    }
}
