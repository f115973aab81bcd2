//! `whmapi1 [--output=yaml|json|jsonpretty|xml] [--user=USER] FUNCTION key=value …`

fn main() -> std::process::ExitCode {
    whmd_cli::main(whmd_wire::ApiVersion::V1)
}
