//! BER-TLV (placeholder, being written)
