//! Card layer (placeholder, being written)
