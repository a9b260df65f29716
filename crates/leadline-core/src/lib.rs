//! Leadline's pure domain.
//!
//! Architecture invariant: nothing in this crate does IO, spawns tasks or reads the clock.
//! Time comes in as a value (`Millis`), text comes in as `&str`, and every function here can be
//! tested with plain values. The store, the server and the binary build on top of it.

pub mod activity;
pub mod analytics;
pub mod attribution;
pub mod campaign;
pub mod clv;
pub mod cohort;
pub mod condition;
pub mod contact;
pub mod country;
pub mod date;
pub mod dedupe;
pub mod email;
pub mod engine;
pub mod error;
pub mod form;
pub mod funnel;
pub mod health;
pub mod import;
pub mod journey;
pub mod lifecycle;
pub mod locale;
pub mod merge;
pub mod money;
pub mod phone;
pub mod pipeline;
pub mod property;
pub mod record;
pub mod role;
pub mod routing;
pub mod score;
pub mod text;
pub mod track;
pub mod webhook;

pub use error::{FieldError, Invalid};

/// Milliseconds since the Unix epoch, UTC. All times in Leadline are this.
pub type Millis = i64;
