fn main() {
    std::process::exit(xsuaa_lint::cli::main());
}
