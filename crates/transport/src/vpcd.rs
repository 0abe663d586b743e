//! vpcd bridge (to be written).
