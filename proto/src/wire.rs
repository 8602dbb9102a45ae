//! The generated protocol modules: Terraform plugin protocol v6, the go-plugin services and
//! the gRPC health service. Messages, clients (`*_client`) and servers (`*_server`) are
//! generated at build time from the definitions in `proto/`.

/// Terraform plugin protocol v6 (`package tfplugin6`).
pub mod tfplugin6 {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/tfplugin6.rs"));
}

/// The go-plugin services (`package plugin`): controller, stdio and broker.
pub mod goplugin {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/plugin.rs"));
}

/// The gRPC health service (`package grpc.health.v1`).
pub mod health {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/grpc.health.v1.rs"));
}
