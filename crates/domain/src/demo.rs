//! The demo program and the load generator (filled in by the demo work).
