//! The building blocks of the declarative schema: the ASN.1 types of `PE_Definitions-3.3.1`
//! (SAIP v3.3.1 Annex A) as `static` tables that one generic validator walks
//! ([`super::validate`]).
//!
//! The module is `AUTOMATIC TAGS`: the components of a SEQUENCE or CHOICE get the context tags
//! `[0]`, `[1]`, … in order, unless one of them is tagged in the module, in which case none is
//! (ITU-T X.680 §25.3, §29.3). [`seq`] and [`choice`] apply that rule themselves. An automatic
//! or written tag is IMPLICIT, except on a CHOICE, where it is EXPLICIT (X.680 §31.2.7): the
//! tag wraps the chosen alternative's own TLV.

use der::{Tag, TagNumber};

/// An ASN.1 type of the module, as far as DER validation needs it.
#[derive(Debug)]
pub(crate) enum Ty {
    /// `NULL` (X.690 §8.8: no contents).
    Null,
    /// `INTEGER (min..max)` (X.690 §8.3); unconstrained ones use the `i64` range.
    Int {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// `OCTET STRING (SIZE (min..max))`.
    Octets {
        /// Fewest octets.
        min: usize,
        /// Most octets.
        max: usize,
    },
    /// `UTF8String (SIZE (min..max))`, counted in characters (X.680 §41.10).
    Utf8 {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// `OBJECT IDENTIFIER` (X.690 §8.19).
    Oid,
    /// `SEQUENCE { … }`; `auto` when its components are automatically tagged.
    Seq {
        /// The root components, in order.
        fields: &'static [Field],
        /// Automatic tagging applies.
        auto: bool,
    },
    /// `SEQUENCE (SIZE (min..max)) OF item`.
    SeqOf {
        /// The item type (tagged by its universal tag, or the alternatives of an untagged CHOICE).
        item: &'static Ty,
        /// Fewest items.
        min: usize,
        /// Most items.
        max: usize,
    },
    /// `CHOICE { … }`; `auto` when its alternatives are automatically tagged.
    Choice {
        /// The alternatives.
        alts: &'static [Field],
        /// Automatic tagging applies.
        auto: bool,
    },
}

/// The class of a tag written in the module (`[n]`, `[APPLICATION n]`, `[PRIVATE n]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// `[n]`.
    Context,
    /// `[APPLICATION n]`.
    Application,
    /// `[PRIVATE n]`.
    Private,
}

/// A component of a SEQUENCE, or an alternative of a CHOICE.
#[derive(Debug)]
pub(crate) struct Field {
    /// The ASN.1 identifier (e.g. `ef-iccid`), used in error paths.
    pub(crate) name: &'static str,
    /// The tag written in the module, if any.
    pub(crate) tag: Option<(Class, u32)>,
    /// The type.
    pub(crate) ty: &'static Ty,
    /// `OPTIONAL` or `DEFAULT` (DER leaves a default value out, X.690 §11.5).
    pub(crate) optional: bool,
}

/// A mandatory component without a tag of its own.
pub(crate) const fn req(name: &'static str, ty: &'static Ty) -> Field {
    Field { name, tag: None, ty, optional: false }
}

/// An `OPTIONAL` (or `DEFAULT`) component without a tag of its own.
pub(crate) const fn opt(name: &'static str, ty: &'static Ty) -> Field {
    Field { name, tag: None, ty, optional: true }
}

/// A mandatory component with a tag written in the module.
pub(crate) const fn req_t(name: &'static str, tag: (Class, u32), ty: &'static Ty) -> Field {
    Field { name, tag: Some(tag), ty, optional: false }
}

/// An `OPTIONAL` (or `DEFAULT`) component with a tag written in the module.
pub(crate) const fn opt_t(name: &'static str, tag: (Class, u32), ty: &'static Ty) -> Field {
    Field { name, tag: Some(tag), ty, optional: true }
}

/// `[n]`.
pub(crate) const fn c(number: u32) -> (Class, u32) {
    (Class::Context, number)
}

/// `[APPLICATION n]`.
pub(crate) const fn a(number: u32) -> (Class, u32) {
    (Class::Application, number)
}

/// `[PRIVATE n]`.
pub(crate) const fn p(number: u32) -> (Class, u32) {
    (Class::Private, number)
}

/// Whether no component carries a tag of its own (then automatic tagging applies, X.680 §25.3).
const fn untagged(mut fields: &[Field]) -> bool {
    while let [first, rest @ ..] = fields {
        if first.tag.is_some() {
            return false;
        }
        fields = rest;
    }
    true
}

/// `SEQUENCE { fields }`, automatically tagged when no component has a tag of its own.
pub(crate) const fn seq(fields: &'static [Field]) -> Ty {
    Ty::Seq { fields, auto: untagged(fields) }
}

/// `CHOICE { alts }`, automatically tagged when no alternative has a tag of its own.
pub(crate) const fn choice(alts: &'static [Field]) -> Ty {
    Ty::Choice { alts, auto: untagged(alts) }
}

/// `SEQUENCE (SIZE (min..max)) OF item`.
pub(crate) const fn seq_of(item: &'static Ty, min: usize, max: usize) -> Ty {
    Ty::SeqOf { item, min, max }
}

/// `OCTET STRING (SIZE (min..max))`.
pub(crate) const fn octets(min: usize, max: usize) -> Ty {
    Ty::Octets { min, max }
}

/// `INTEGER (min..max)`.
pub(crate) const fn int(min: i64, max: i64) -> Ty {
    Ty::Int { min, max }
}

/// No upper bound (`MAX`).
pub(crate) const MAX: usize = usize::MAX;

impl Ty {
    /// Whether the DER encoding of a value of this type is constructed (X.690 §8.1.2.5).
    const fn constructed(&self) -> bool {
        matches!(self, Ty::Seq { .. } | Ty::SeqOf { .. } | Ty::Choice { .. })
    }

    /// The universal tag of an untagged value (X.680 §8.6); `None` for a CHOICE, whose value
    /// carries the tag of its alternative.
    pub(crate) const fn universal(&self) -> Option<Tag> {
        match self {
            Ty::Null => Some(Tag::Null),
            Ty::Int { .. } => Some(Tag::Integer),
            Ty::Octets { .. } => Some(Tag::OctetString),
            Ty::Utf8 { .. } => Some(Tag::Utf8String),
            Ty::Oid => Some(Tag::ObjectIdentifier),
            Ty::Seq { .. } | Ty::SeqOf { .. } => Some(Tag::Sequence),
            Ty::Choice { .. } => None,
        }
    }
}

/// What the TLV of a component looks like.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// This tag (for a tagged CHOICE: the explicit wrapper around the alternative).
    Tag(Tag),
    /// An untagged CHOICE: the tag of one of these alternatives.
    AnyOf {
        /// The alternatives.
        alts: &'static [Field],
        /// Whether they are automatically tagged.
        auto: bool,
    },
}

/// The DER tag of `(class, number)` for a value of `ty` (a tagged CHOICE is explicit, hence
/// constructed).
const fn make_tag((class, number): (Class, u32), ty: &Ty) -> Tag {
    let constructed = ty.constructed();
    let number = TagNumber(number);
    match class {
        Class::Context => Tag::ContextSpecific { constructed, number },
        Class::Application => Tag::Application { constructed, number },
        Class::Private => Tag::Private { constructed, number },
    }
}

impl Field {
    /// The TLV of this component as member `index` of a container that is (`auto`) or is not
    /// automatically tagged.
    pub(crate) fn expect(&self, index: usize, auto: bool) -> Expect {
        let tag = match (self.tag, auto) {
            (Some(tag), _) => tag,
            (None, true) => c(u32::try_from(index).unwrap_or(u32::MAX)),
            (None, false) => {
                return match (self.ty.universal(), self.ty) {
                    (Some(tag), _) => Expect::Tag(tag),
                    (None, Ty::Choice { alts, auto }) => Expect::AnyOf { alts, auto: *auto },
                    // Every type but CHOICE has a universal tag.
                    (None, _) => Expect::Tag(Tag::Null),
                };
            }
        };
        Expect::Tag(make_tag(tag, self.ty))
    }

    /// Whether a TLV with `tag` can be this component (member `index`, see [`Field::expect`]).
    pub(crate) fn accepts(&self, index: usize, auto: bool, tag: Tag) -> bool {
        match self.expect(index, auto) {
            Expect::Tag(expected) => expected == tag,
            Expect::AnyOf { alts, auto } => alternative(alts, auto, tag).is_some(),
        }
    }
}

/// The alternative of a CHOICE whose TLV has `tag`, with its index.
pub(crate) fn alternative(alts: &'static [Field], auto: bool, tag: Tag) -> Option<(usize, &'static Field)> {
    alts.iter().enumerate().find(|(index, alt)| alt.accepts(*index, auto, tag))
}
