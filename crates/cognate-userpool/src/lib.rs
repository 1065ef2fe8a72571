//! The Cognito user-pool model and its sign-in flows.
//!
//! * [`model`]: user pools, users and attributes, groups, app clients, resource servers,
//!   identity-provider settings, password and MFA policy.
//! * [`store`]: the storage traits, an in-memory store and a durable embedded one.
//! * The sign-in flows as Cognito defines them: password, SRP ([`srp`]), refresh, MFA
//!   ([`totp`]), with [`secret_hash`] for clients that have a secret.
//!
//! Nothing here does I/O of its own apart from the durable store's file; time and randomness
//! are inputs.

pub mod api;
pub mod filter;
mod mac;
pub mod model;
pub mod secret_hash;
pub mod service;
pub mod sigv4;
pub mod srp;
pub mod store;
pub mod totp;
