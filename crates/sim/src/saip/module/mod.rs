//! `PE_Definitions-3.3.1` (SAIP v3.3.1 Annex A, `PEDefinitions {2 23 143 1 1 3}`, `AUTOMATIC
//! TAGS EXTENSIBILITY IMPLIED`) as [`Ty`](super::schema::Ty) tables: every type a ProfileElement
//! can contain, in the module's order and with its constraints.

pub(crate) mod common;
pub(crate) mod elements;
pub(crate) mod templates;
