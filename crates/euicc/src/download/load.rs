//! LoadBoundProfilePackage one segment at a time (SGP.22 §5.7.6, segments of §2.5.5): where the
//! load stands, shared by [`Isdr::load_bound_profile_package`](crate::isdr::Isdr::load_bound_profile_package)
//! and the sans-IO download.

use std::ops::Range;

use crate::es10::bpp::{self, SegmentKind};
use crate::es10::{Message, ProfileInstallationResult};
use crate::isdr::{Es10Error, LoadProgress};

/// The segments of a Bound Profile Package and how many were sent.
#[derive(Debug)]
pub(crate) struct LoadCursor {
    /// Each segment's kind and length, in sending order; together they are the whole package.
    segments: Vec<(SegmentKind, usize)>,
    /// Segments sent.
    sent: usize,
    /// Bytes sent.
    bytes_sent: usize,
    /// The package's length.
    bytes_total: usize,
}

impl LoadCursor {
    /// The segments of `bpp` ([`bpp::segments`]); a package that is not one is a
    /// [`Es10Error::MalformedRequest`].
    pub(crate) fn new(bpp: &[u8]) -> Result<Self, Es10Error> {
        let segments = bpp::segments(bpp).map_err(Es10Error::MalformedRequest)?;
        let segments = segments.iter().map(|segment| (segment.kind, segment.bytes.len())).collect();
        Ok(Self { segments, sent: 0, bytes_sent: 0, bytes_total: bpp.len() })
    }

    /// Where the next segment is in the package, or `None` once all were sent.
    pub(crate) fn next_segment(&self) -> Option<Range<usize>> {
        let (_, len) = self.segments.get(self.sent)?;
        Some(self.bytes_sent..self.bytes_sent + len)
    }

    /// The eUICC answered the segment just sent with `response`: reports the progress, then
    /// returns the ProfileInstallationResult when the answer is one (on success after the last
    /// `86`, on error earlier: nothing more of the package may be sent then), `None` to go on.
    pub(crate) fn answered(
        &mut self,
        response: &[u8],
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Option<Result<ProfileInstallationResult, Es10Error>> {
        let &(kind, len) = self.segments.get(self.sent)?;
        self.sent += 1;
        self.bytes_sent += len;
        progress(LoadProgress {
            kind,
            segments_sent: self.sent,
            segments_total: self.segments.len(),
            bytes_sent: self.bytes_sent,
            bytes_total: self.bytes_total,
        });
        if response.is_empty() {
            return None;
        }
        if self.sent < self.segments.len() {
            tracing::info!(
                target: "oxicard::euicc",
                segment = self.sent, segments = self.segments.len(),
                "the eUICC answered before the last segment: the rest of the package is not sent"
            );
        }
        Some(ProfileInstallationResult::from_der(response).map_err(Es10Error::from))
    }
}
