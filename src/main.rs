//! The `corrigenda` command.

fn main() -> std::process::ExitCode {
    corrigenda::cli::run()
}
