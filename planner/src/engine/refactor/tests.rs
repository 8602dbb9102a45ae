//! Unit tests of `engine::refactor`.
