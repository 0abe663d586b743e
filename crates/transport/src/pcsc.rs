//! PC/SC transport (to be written).
