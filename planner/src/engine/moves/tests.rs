//! Unit tests of `engine::moves`.
