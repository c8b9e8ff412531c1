//! The task sizes Fargate accepts.

/// The memory sizes (MiB) Fargate accepts for a task of `cpu` units; empty for an unknown cpu.
pub fn memory_options(cpu: u32) -> Vec<u32> {
    let steps = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect();
    match cpu {
        256 => vec![512, 1024, 2048],
        512 => vec![1024, 2048, 3072, 4096],
        1024 => steps(2048, 8192, 1024),
        2048 => steps(4096, 16384, 1024),
        4096 => steps(8192, 30720, 1024),
        8192 => steps(16384, 61440, 4096),
        16384 => steps(32768, 122880, 8192),
        _ => Vec::new(),
    }
}

/// The cpu values Fargate accepts.
pub const CPU_OPTIONS: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// Checks a task size; the error says what Fargate accepts instead.
pub fn check_task_size(cpu: u32, memory: u32) -> Result<(), String> {
    let options = memory_options(cpu);
    if options.is_empty() {
        return Err(format!(
            "cpu {cpu} is not a Fargate size: one of {}",
            CPU_OPTIONS.map(|c| c.to_string()).join(", ")
        ));
    }
    if !options.contains(&memory) {
        let allowed = if options.len() > 4 {
            format!(
                "{} to {} in steps of {}",
                options[0],
                options[options.len() - 1],
                options[1] - options[0]
            )
        } else {
            options
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "memory {memory} MiB does not pair with cpu {cpu} on Fargate: {allowed}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_published_pairs_and_explains_the_rest() {
        assert!(check_task_size(256, 512).is_ok());
        assert!(check_task_size(1024, 2048).is_ok());
        assert!(check_task_size(8192, 20480).is_ok());
        assert!(check_task_size(16384, 122880).is_ok());
        let err = check_task_size(256, 4096).unwrap_err();
        assert!(err.contains("512, 1024, 2048"), "{err}");
        let err = check_task_size(8192, 18432).unwrap_err();
        assert!(err.contains("16384 to 61440 in steps of 4096"), "{err}");
        assert!(check_task_size(300, 1024)
            .unwrap_err()
            .contains("not a Fargate size"));
    }
}
