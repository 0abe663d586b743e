//! The generic DER validator: walks a [`Ty`] table over a TLV and checks tags, order, presence,
//! sizes, ranges and primitive encodings (ITU-T X.690 §8 and §10 over the X.680 types of
//! `PE_Definitions-3.3.1`).
//!
//! SEQUENCE components are matched in order; an absent component must be OPTIONAL or DEFAULT.
//! The module is `EXTENSIBILITY IMPLIED` (X.680 §13.4): after the root components a SEQUENCE may
//! carry extension additions of a later version, which are skipped — a member whose tag is none
//! of the root components' (and, under automatic tags, numbered after them). A CHOICE must be
//! one of its root alternatives. DEFAULT values that are present are accepted (X.690 §11.5 would
//! leave them out).

use der::Tag;

use super::error::Problem;
use super::schema::{Expect, Field, Ty, alternative};
use super::tlv::{Tlv, Tlvs};

/// A validation failure: where (package offset, field path) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fail {
    /// The offset of the TLV at fault in the package.
    pub(crate) offset: usize,
    /// The field path, e.g. `mf.ef-iccid[1].fillFileContent`.
    pub(crate) path: String,
    /// What was wrong.
    pub(crate) problem: Problem,
}

/// One step of a field path.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// A component or alternative name.
    Name(&'static str),
    /// An item of a SEQUENCE OF.
    Index(usize),
}

/// A field path as a chain on the stack (rendered only on failure).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    step: Step,
}

impl<'p> Path<'p> {
    /// The path of a PE, named after its alternative.
    pub(crate) fn root(name: &'static str) -> Path<'static> {
        Path { parent: None, step: Step::Name(name) }
    }

    fn name(&'p self, name: &'static str) -> Path<'p> {
        Path { parent: Some(self), step: Step::Name(name) }
    }

    fn index(&'p self, index: usize) -> Path<'p> {
        Path { parent: Some(self), step: Step::Index(index) }
    }

    fn render(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            steps.push(path.step);
            at = path.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Name(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Step::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }

    fn fail(&self, offset: usize, problem: Problem) -> Fail {
        Fail { offset, path: self.render(), problem }
    }
}

/// Checks the contents of `tlv`, whose tag is already known to be right, as a value of `ty`.
pub(crate) fn check_value(ty: &'static Ty, tlv: &Tlv<'_>, path: &Path<'_>) -> Result<(), Fail> {
    let at = |problem| Err(path.fail(tlv.offset, problem));
    match ty {
        Ty::Null if !tlv.value.is_empty() => at(Problem::NullContents),
        Ty::Null => Ok(()),
        Ty::Int { min, max } => match integer(tlv.value) {
            Err(problem) => at(problem),
            Ok(Some(value)) if (*min..=*max).contains(&value) => Ok(()),
            Ok(_) => at(Problem::OutOfRange { min: *min, max: *max }),
        },
        Ty::Octets { min, max } => size(*min, *max, tlv.value.len()).or_else(at),
        Ty::Utf8 { min, max } => match core::str::from_utf8(tlv.value) {
            Ok(text) => size(*min, *max, text.chars().count()).or_else(at),
            Err(_) => at(Problem::Utf8),
        },
        Ty::Oid if !oid_well_formed(tlv.value) => at(Problem::Oid),
        Ty::Oid => Ok(()),
        Ty::Seq { fields, auto } => check_sequence(fields, *auto, tlv, path),
        Ty::SeqOf { item, min, max } => {
            let mut count = 0usize;
            for child in Tlvs::of(tlv) {
                let child = child.map_err(|(offset, problem)| path.fail(offset, problem))?;
                let item_path = path.index(count);
                check_item(item, &child, &item_path)?;
                count = count.saturating_add(1);
            }
            size(*min, *max, count).or_else(at)
        }
        Ty::Choice { alts, auto } => {
            // The explicit tag of a CHOICE: exactly one alternative inside (X.690 §8.14.3).
            let mut children = Tlvs::of(tlv);
            let first = match children.next() {
                None => return at(Problem::ChoiceWrapper),
                Some(child) => child.map_err(|(offset, problem)| path.fail(offset, problem))?,
            };
            if let Some(second) = children.next() {
                let offset = second.map_or_else(|(offset, _)| offset, |t| t.offset);
                return Err(path.fail(offset, Problem::ChoiceWrapper));
            }
            check_alternative(alts, *auto, &first, path)
        }
    }
}

/// Checks one item of a SEQUENCE OF `item`.
fn check_item(item: &'static Ty, child: &Tlv<'_>, path: &Path<'_>) -> Result<(), Fail> {
    match (item.universal(), item) {
        (None, Ty::Choice { alts, auto }) => check_alternative(alts, *auto, child, path),
        (Some(tag), _) if tag == child.tag => check_value(item, child, path),
        _ => Err(path.fail(child.offset, Problem::UnexpectedTag(child.tag))),
    }
}

/// Checks `child` as the alternative of a CHOICE that its tag selects.
fn check_alternative(
    alts: &'static [Field],
    auto: bool,
    child: &Tlv<'_>,
    path: &Path<'_>,
) -> Result<(), Fail> {
    let (index, alt) = alternative(alts, auto, child.tag)
        .ok_or_else(|| path.fail(child.offset, Problem::UnexpectedTag(child.tag)))?;
    check_member(alt, alt.expect(index, auto), child, &path.name(alt.name))
}

/// Checks `child`, whose tag matched `field` as `expect` says.
fn check_member(field: &'static Field, expect: Expect, child: &Tlv<'_>, path: &Path<'_>) -> Result<(), Fail> {
    match expect {
        Expect::Tag(_) => check_value(field.ty, child, path),
        Expect::AnyOf { alts, auto } => check_alternative(alts, auto, child, path),
    }
}

/// Checks the components of a SEQUENCE (see the module docs for extension additions).
fn check_sequence(fields: &'static [Field], auto: bool, tlv: &Tlv<'_>, path: &Path<'_>) -> Result<(), Fail> {
    let mut next = 0usize;
    let mut extended = false;
    for child in Tlvs::of(tlv) {
        let child = child.map_err(|(offset, problem)| path.fail(offset, problem))?;
        let found = fields
            .iter()
            .enumerate()
            .skip(next)
            .find(|(index, field)| field.accepts(*index, auto, child.tag))
            .filter(|_| !extended);
        let Some((index, field)) = found else {
            if !is_extension(fields, auto, child.tag) {
                return Err(path.fail(child.offset, Problem::UnexpectedTag(child.tag)));
            }
            extended = true;
            continue;
        };
        if let Some(missing) = fields.iter().take(index).skip(next).find(|f| !f.optional) {
            return Err(path.fail(child.offset, Problem::Missing(missing.name)));
        }
        check_member(field, field.expect(index, auto), &child, &path.name(field.name))?;
        next = index.saturating_add(1);
    }
    if let Some(missing) = fields.iter().skip(next).find(|f| !f.optional) {
        let end = tlv.offset.saturating_add(tlv.raw.len());
        return Err(path.fail(end, Problem::Missing(missing.name)));
    }
    Ok(())
}

/// Whether `tag` can be an extension addition of a SEQUENCE with these root `fields`: the tag of
/// none of them and, under automatic tags, a context tag numbered after them (X.680 §25.3).
fn is_extension(fields: &'static [Field], auto: bool, tag: Tag) -> bool {
    let root = fields.iter().enumerate().any(|(index, field)| field.accepts(index, auto, tag));
    let numbered_after = match tag {
        Tag::ContextSpecific { number, .. } => {
            usize::try_from(number.value()).is_ok_and(|n| n >= fields.len())
        }
        _ => false,
    };
    !root && (!auto || numbered_after)
}

/// The size check of a SIZE constraint.
fn size(min: usize, max: usize, actual: usize) -> Result<(), Problem> {
    if (min..=max).contains(&actual) { Ok(()) } else { Err(Problem::Size { min, max, actual }) }
}

/// A DER INTEGER (X.690 §8.3): `None` when it does not fit an `i64`.
pub(crate) fn integer(bytes: &[u8]) -> Result<Option<i64>, Problem> {
    let (&first, rest) = bytes.split_first().ok_or(Problem::IntegerEncoding)?;
    if let Some(&second) = rest.first() {
        let redundant = (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0);
        if redundant {
            return Err(Problem::IntegerEncoding);
        }
    }
    if bytes.len() > 8 {
        return Ok(None);
    }
    let start: i64 = if first & 0x80 != 0 { -1 } else { 0 };
    Ok(Some(bytes.iter().fold(start, |acc, &b| (acc << 8) | i64::from(b))))
}

/// Whether `bytes` are the contents of a well-formed OBJECT IDENTIFIER (X.690 §8.19: at least
/// one subidentifier, each in minimal base 128, the last octet of each with bit 8 clear).
pub(crate) fn oid_well_formed(bytes: &[u8]) -> bool {
    let mut start_of_arc = true;
    for &byte in bytes {
        if start_of_arc && byte == 0x80 {
            return false;
        }
        start_of_arc = byte & 0x80 == 0;
    }
    !bytes.is_empty() && start_of_arc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers() {
        // X.690 §8.3.2: minimal two's complement.
        assert_eq!(integer(&[0x00]), Ok(Some(0)));
        assert_eq!(integer(&[0x00, 0x80]), Ok(Some(128)));
        assert_eq!(integer(&[0xFF]), Ok(Some(-1)));
        assert_eq!(integer(&[0x7F, 0xFF]), Ok(Some(32_767)));
        assert_eq!(integer(&[0x00, 0x7F]), Err(Problem::IntegerEncoding));
        assert_eq!(integer(&[0xFF, 0x80]), Err(Problem::IntegerEncoding));
        assert_eq!(integer(&[]), Err(Problem::IntegerEncoding));
        assert_eq!(integer(&[0x01; 9]), Ok(None));
    }

    #[test]
    fn object_identifiers() {
        // 2.23.143.1.2.1 (id-MF) and 2.999 (88 37).
        assert!(oid_well_formed(&[0x67, 0x81, 0x0F, 0x01, 0x02, 0x01]));
        assert!(oid_well_formed(&[0x88, 0x37]));
        assert!(!oid_well_formed(&[]));
        assert!(!oid_well_formed(&[0x67, 0x81]));
        assert!(!oid_well_formed(&[0x80, 0x01]));
    }
}
