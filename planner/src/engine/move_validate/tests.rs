//! Unit tests of `engine::move_validate`.
