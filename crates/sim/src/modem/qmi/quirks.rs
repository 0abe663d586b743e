//! The behaviours of real QMI modems the simulated one can be switched to.

/// Quirks of real modems, all off by default (a well-behaved modem).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QmiQuirks {
    /// Frames to the host carry QMUX flags `00` instead of `80`, as libqmi's own fake-device
    /// fixtures do (`src/libqmi-glib/test/test-fixture.c`).
    pub host_flags_in_responses: bool,
    /// UIM Open Logical Channel fails with `AccessDenied` (82): SIMCom SIM7600G-H and Telit
    /// LE910C4 in QMI mode (lpac issue #221).
    pub open_channel_access_denied: bool,
    /// UIM Get Slot Status fails with `NotSupported` (94), as on older firmware (lpac
    /// `driver/apdu/qmi.c`, `select_sim_slot`); the logical slot numbers then address the
    /// physical slots directly.
    pub slot_status_not_supported: bool,
    /// Each frame to the host is written in several pieces, a little apart, so that the host
    /// reads partial frames (a pty or a socket is a byte stream).
    pub split_responses: bool,
    /// All the frames answering one request go out in one write, so that the host reads
    /// several frames at once.
    pub batch_responses: bool,
    /// An unsolicited UIM Slot Status indication (`0048`, no TLVs, as in wwan-go
    /// `qcom/qmi/transport_test.go`) precedes each UIM response.
    pub indication_before_response: bool,
    /// A stale response, to the transaction before (failing with `Internal`), precedes each
    /// response: a host that does not match transaction IDs takes it for its answer.
    pub stale_response_before: bool,
}

impl QmiQuirks {
    /// QMUX flags `00` on frames to the host.
    #[must_use]
    pub fn with_host_flags_in_responses(mut self) -> Self {
        self.host_flags_in_responses = true;
        self
    }

    /// `AccessDenied` on UIM Open Logical Channel.
    #[must_use]
    pub fn with_open_channel_access_denied(mut self) -> Self {
        self.open_channel_access_denied = true;
        self
    }

    /// `NotSupported` on UIM Get Slot Status.
    #[must_use]
    pub fn with_slot_status_not_supported(mut self) -> Self {
        self.slot_status_not_supported = true;
        self
    }

    /// Frames written in pieces.
    #[must_use]
    pub fn with_split_responses(mut self) -> Self {
        self.split_responses = true;
        self
    }

    /// The frames of one answer in one write.
    #[must_use]
    pub fn with_batch_responses(mut self) -> Self {
        self.batch_responses = true;
        self
    }

    /// An indication before each UIM response.
    #[must_use]
    pub fn with_indication_before_response(mut self) -> Self {
        self.indication_before_response = true;
        self
    }

    /// A stale response before each response.
    #[must_use]
    pub fn with_stale_response_before(mut self) -> Self {
        self.stale_response_before = true;
        self
    }
}
