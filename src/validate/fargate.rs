//! The task sizes Fargate accepts: one table for the `E3047` rule and for the constructs that
//! size tasks, so the two never disagree.

use std::fmt;

/// The task cpu values (units) Fargate offers.
pub const CPU_OPTIONS: [u64; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// The memory sizes (MiB) Fargate accepts for a task of `cpu` units, or `None` for a cpu it
/// does not offer.
pub fn memory_options(cpu: u64) -> Option<Vec<u64>> {
    let steps = |from: u64, to: u64, step: u64| (from..=to).step_by(step as usize).collect();
    Some(match cpu {
        256 => vec![512, 1024, 2048],
        512 => vec![1024, 2048, 3072, 4096],
        1024 => steps(2048, 8192, 1024),
        2048 => steps(4096, 16384, 1024),
        4096 => steps(8192, 30720, 1024),
        8192 => steps(16384, 61440, 4096),
        16384 => steps(32768, 122880, 8192),
        _ => return None,
    })
}

/// A task size Fargate refuses; its text says what Fargate accepts instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskSizeError {
    /// The cpu is not one Fargate offers.
    Cpu {
        /// The cpu units given.
        cpu: u64,
    },
    /// The memory does not pair with the cpu.
    Memory {
        /// The cpu units given.
        cpu: u64,
        /// The memory (MiB) given.
        memory: u64,
    },
}

/// Checks that `cpu` units and `memory` MiB are a task size Fargate accepts.
pub fn check_task_size(cpu: u64, memory: u64) -> Result<(), TaskSizeError> {
    match memory_options(cpu) {
        None => Err(TaskSizeError::Cpu { cpu }),
        Some(options) if !options.contains(&memory) => Err(TaskSizeError::Memory { cpu, memory }),
        Some(_) => Ok(()),
    }
}

impl fmt::Display for TaskSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TaskSizeError::Cpu { cpu } => write!(
                f,
                "cpu {cpu} is not a Fargate size: use one of {}",
                CPU_OPTIONS.map(|c| c.to_string()).join(", ")
            ),
            TaskSizeError::Memory { cpu, memory } => {
                let options = memory_options(cpu).unwrap_or_default();
                write!(
                    f,
                    "memory {memory} MiB does not pair with cpu {cpu} on Fargate; allowed: {} MiB",
                    describe(&options)
                )
            }
        }
    }
}

impl std::error::Error for TaskSizeError {}

/// `512, 1024, 2048` for a short list, `2048 to 8192 in steps of 1024` for an even range.
fn describe(options: &[u64]) -> String {
    match options {
        [first, second, .., last] if options.len() > 4 => {
            format!("{first} to {last} in steps of {}", second - first)
        }
        _ => options
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_published_pairs_and_explains_the_rest() {
        assert!(check_task_size(256, 512).is_ok());
        assert!(check_task_size(1024, 2048).is_ok());
        assert!(check_task_size(8192, 20480).is_ok());
        assert!(check_task_size(16384, 40960).is_ok());
        assert!(check_task_size(16384, 122880).is_ok());
        let err = check_task_size(256, 4096).unwrap_err().to_string();
        assert!(err.contains("allowed: 512, 1024, 2048 MiB"), "{err}");
        let err = check_task_size(8192, 18432).unwrap_err().to_string();
        assert!(err.contains("16384 to 61440 in steps of 4096"), "{err}");
        let err = check_task_size(300, 1024).unwrap_err();
        assert_eq!(err, TaskSizeError::Cpu { cpu: 300 });
        assert!(err.to_string().contains("256, 512, 1024"), "{err}");
    }
}
