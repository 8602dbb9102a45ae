//! Compiles the protocol definitions in `proto/` into Rust (messages, clients and servers)
//! with a pure-Rust protobuf compiler, so no system `protoc` is needed.

use std::error::Error;

const PROTO_FILES: [&str; 3] = [
    "proto/tfplugin6.proto",
    "proto/goplugin.proto",
    "proto/health.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(PROTO_FILES, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
