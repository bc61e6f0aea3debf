//! Empty signature fields (in progress).
