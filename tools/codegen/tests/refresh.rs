//! The `refresh` command on a zip built from a few of the committed schemas.

use std::fs;
use std::io::Write as _;

use stackcraft_codegen::refresh::refresh;
use stackcraft_codegen::workspace_root;

fn committed(name: &str) -> String {
    fs::read_to_string(workspace_root().join("schemas/cloudformation").join(name)).unwrap()
}

#[test]
fn a_zip_replaces_the_schemas_with_normalised_names_and_records_the_date() {
    let work = tempfile::tempdir().unwrap();
    let zip_path = work.path().join("CloudformationSchema.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let vpc: serde_json::Value = serde_json::from_str(&committed("aws-ec2-vpc.json")).unwrap();
    let entries = [
        // Minified, and under a name that is not the normalised one.
        ("AWS_EC2_VPC.json", serde_json::to_string(&vpc).unwrap()),
        (
            "schemas/aws-sqs-queue.json",
            committed("aws-sqs-queue.json"),
        ),
        ("aws-kms-alias.json", committed("aws-kms-alias.json")),
        ("README.txt", "not a schema".to_string()),
    ];
    for (name, text) in &entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();

    let schemas = work.path().join("schemas");
    fs::create_dir_all(schemas.join("cloudformation")).unwrap();
    fs::write(schemas.join("cloudformation/aws-old-gone.json"), "{}").unwrap();
    fs::write(
        schemas.join("README.md"),
        "# Schemas\n\n- Schema date: 2000-01-01\n",
    )
    .unwrap();

    let report = refresh(&zip_path, &schemas, Some("2026-11-30")).unwrap();
    assert!(report.starts_with("3 schemas"), "{report}");
    let mut names: Vec<String> = fs::read_dir(schemas.join("cloudformation"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "aws-ec2-vpc.json",
            "aws-kms-alias.json",
            "aws-sqs-queue.json"
        ]
    );
    // Sorted keys and a two-space indent: the committed files come back byte for byte.
    for name in &names {
        let text = fs::read_to_string(schemas.join("cloudformation").join(name)).unwrap();
        assert_eq!(text.trim_end(), committed(name).trim_end(), "{name}");
    }
    let readme = fs::read_to_string(schemas.join("README.md")).unwrap();
    assert!(readme.contains("- Schema date: 2026-11-30"), "{readme}");
    assert_eq!(
        stackcraft_codegen::schema_date(&schemas).unwrap(),
        "2026-11-30"
    );
}

#[test]
fn a_folder_works_too_and_junk_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("x.json"), committed("aws-logs-loggroup.json")).unwrap();
    let schemas = work.path().join("schemas");
    refresh(&input, &schemas, Some("2026-11-30")).unwrap();
    assert!(schemas
        .join("cloudformation/aws-logs-loggroup.json")
        .exists());

    fs::write(input.join("y.json"), r#"{"no": "type name"}"#).unwrap();
    let err = refresh(&input, &schemas, None).unwrap_err();
    assert!(err.to_string().contains("has no typeName"), "{err}");
    let empty = work.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    assert!(refresh(&empty, &schemas, None).is_err());
}

#[test]
fn the_command_refreshes_another_schemas_folder_without_touching_the_workspace() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("a.json"), committed("aws-kms-key.json")).unwrap();
    let schemas = work.path().join("schemas");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stackcraft-codegen"))
        .arg("refresh")
        .arg(&input)
        .arg("--schemas")
        .arg(&schemas)
        .args(["--date", "2026-12-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 schemas (1 new or changed, 0 removed)"),
        "{stderr}"
    );
    assert!(!stderr.contains("regenerated"), "{stderr}");
    assert!(schemas.join("cloudformation/aws-kms-key.json").exists());
}
