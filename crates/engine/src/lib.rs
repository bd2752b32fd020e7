//! Tandem's scheduling engine: pure, synchronous and deterministic.
pub mod checker;
pub mod cpm;
pub mod error;
pub mod model;
pub mod readers;
pub mod sgs;
pub mod solve;

pub use checker::{Violation, check_schedule, check_schedule_with};
pub use cpm::{Cpm, Driver, DrivingLink, DrivingPath, PathOrigin, critical_path, critical_path_with};
pub use error::EngineError;
pub use model::*;
pub use readers::{MpsplibInstance, PsplibInstance, parse_mpsplib, parse_psplib};
pub use sgs::{Schedule, check_order, decode_serial};
pub use solve::{Objective, ObjectiveValues, Solution, SolveOptions, evaluate, solve};
