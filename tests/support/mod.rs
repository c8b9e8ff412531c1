//! Test support shared by the deploy tests.
#![allow(dead_code)]

pub mod assembly;
pub mod aws_xml;
pub mod moto;
pub mod replay;
