//! GetRAT (SGP.22 v2.2+ §5.7.22): the Rules Authorisation Table, `GetRatRequest` `BF43`.

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Fields, ctx, ctx_c};
use crate::es10::{BitFlags, Message, OperatorId};

empty_request! {
    /// `GetRatRequest ::= [67] SEQUENCE {}` (`BF43 00`, SGP.22 §5.7.22).
    GetRatRequest, 67, "GetRatRequest", GetRatResponse
}

/// Bit positions of `pprFlags` (SGP.22 §2.9.2.2).
pub mod ppr_flags {
    /// `consentRequired(0)`: the end user must consent to the PPRs.
    pub const CONSENT_REQUIRED: usize = 0;
}

/// `ProfilePolicyAuthorisationRule ::= SEQUENCE { 80 pprIds, A1 allowedOperators, 82 pprFlags }`
/// (SGP.22 §2.9.2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfilePolicyAuthorisationRule {
    /// The PPRs this rule covers (bits in [`ppr`](crate::es10::ppr)).
    pub ppr_ids: BitFlags,
    /// Operators allowed to use them.
    pub allowed_operators: Vec<OperatorId>,
    /// Bits in [`ppr_flags`].
    pub ppr_flags: BitFlags,
}

impl ProfilePolicyAuthorisationRule {
    /// The value with the given members.
    pub fn new(ppr_ids: BitFlags, allowed_operators: Vec<OperatorId>, ppr_flags: BitFlags) -> Self {
        Self { ppr_ids, allowed_operators, ppr_flags }
    }
}

/// `GetRatResponse ::= [67] SEQUENCE { rat RulesAuthorisationTable }` (`BF43 { A0 { 30 … } }`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetRatResponse {
    /// The rules, in order.
    pub rules: Vec<ProfilePolicyAuthorisationRule>,
}

impl Message for GetRatResponse {
    const TAG: Tag = ctx_c(67);
    const NAME: &'static str = "GetRatResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let rules = f
            .req(ctx_c(0), "rat")?
            .fields("RulesAuthorisationTable")?
            .iter()
            .filter(|x| x.tag() == Tag::Sequence)
            .map(|rule| {
                let r = rule.fields("ProfilePolicyAuthorisationRule")?;
                let allowed_operators = r
                    .req(ctx_c(1), "allowedOperators")?
                    .fields("allowedOperators")?
                    .iter()
                    .filter(|x| x.tag() == Tag::Sequence)
                    .map(|op| OperatorId::decode(&op.fields("OperatorID")?))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ProfilePolicyAuthorisationRule {
                    ppr_ids: r.req(ctx(0), "pprIds")?.bits()?,
                    allowed_operators,
                    ppr_flags: r.req(ctx(2), "pprFlags")?.bits()?,
                })
            })
            .collect::<Result<Vec<_>, DecodeError>>()?;
        Ok(Self { rules })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.nested(ctx_c(0), |e| {
            for rule in &self.rules {
                e.nested(Tag::Sequence, |e| {
                    e.bits(ctx(0), &rule.ppr_ids);
                    e.nested(ctx_c(1), |e| {
                        for op in &rule.allowed_operators {
                            e.nested(Tag::Sequence, |e| op.encode_contents(e));
                        }
                    });
                    e.bits(ctx(2), &rule.ppr_flags);
                });
            }
        });
    }
}
