//! The `corrigenda` command.

fn main() -> std::process::ExitCode {
    // Each of the server's blocking threads would otherwise get a glibc heap arena of its own
    // that keeps its high-water mark: a search on each of them raised the resident size by tens
    // of megabytes. Four arenas for the two cores we run on keep it bounded at no measured cost.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
    corrigenda::cli::run()
}
