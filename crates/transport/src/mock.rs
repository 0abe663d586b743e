//! Scripted mock transport (to be written).
