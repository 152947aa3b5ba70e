//! Helm charts; see README.md (nothing here yet).
