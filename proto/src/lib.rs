//! `tenantform-proto`: the wire shared by the planner and providers.
//!
//! - [`tfplugin6`]: our wire-compatible definition of the Terraform plugin protocol v6, and the
//!   go-plugin services ([`goplugin`]) every plugin process serves beside it.
//! - [`value`]: the cty value model with unknowns and its msgpack/JSON codecs.
//! - [`diagnostic`]: the diagnostic providers return, and its wire mapping.
//! - [`schema`]: provider schemas as plain types, and their wire conversions.
//! - [`handshake`]: the go-plugin handshake with AutoMTLS, as a server and as a client.
//! - [`crash`]: the crash handler both programs install: Terraform's crash banner and status.
//!
//! This crate knows nothing of HCL, tenants, state or any command line.

pub mod crash;
pub mod diagnostic;
pub mod dynamic;
pub mod handshake;
pub mod schema;
pub mod schema_wire;
pub mod value;
mod wire;

pub use wire::{goplugin, health, tfplugin6};
