//! STUB (being written): async layer.
