//! Refreshes `schemas/cloudformation/` from the schemas AWS publishes as
//! `CloudformationSchema.zip` (or a folder holding them).
//!
//! Each schema is written to the file its `typeName` names (`AWS::EC2::VPC` is
//! `aws-ec2-vpc.json`), with its keys sorted and a two-space indent, so a refresh shows in
//! review as the changes of the schemas themselves.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value as Json;

/// The file name of a type's schema: `AWS::EC2::VPC` is `aws-ec2-vpc.json`.
pub fn file_name(type_name: &str) -> String {
    format!("{}.json", type_name.replace("::", "-").to_ascii_lowercase())
}

/// Replaces the schemas of `schemas/cloudformation/` with those of `input` (a zip or a folder)
/// and records `date` (default: today, UTC) in `schemas/README.md`. Returns a one-line report.
pub fn refresh(input: &Path, schemas: &Path, date: Option<&str>) -> Result<String> {
    let raw = if input.is_dir() {
        read_dir(input)?
    } else {
        read_zip(input)?
    };
    let mut by_type: BTreeMap<String, String> = BTreeMap::new();
    for (name, text) in raw {
        let schema: Json =
            serde_json::from_str(&text).with_context(|| format!("{name} is not JSON"))?;
        let Some(type_name) = schema.get("typeName").and_then(Json::as_str) else {
            bail!("{name} has no typeName: is it a resource provider schema?");
        };
        let file = file_name(type_name);
        let mut pretty = serde_json::to_string_pretty(&sorted(schema))?;
        pretty.push('\n');
        if by_type.insert(file.clone(), pretty).is_some() {
            bail!("two schemas in {} are both {file}", input.display());
        }
    }
    if by_type.is_empty() {
        bail!("{} holds no schema (*.json)", input.display());
    }
    let dir = schemas.join("cloudformation");
    fs::create_dir_all(&dir)?;
    let mut removed = 0;
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.extension().is_some_and(|x| x == "json") && !by_type.contains_key(name) {
            fs::remove_file(&path)?;
            removed += 1;
        }
    }
    let mut changed = 0;
    for (name, text) in &by_type {
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text)?;
            changed += 1;
        }
    }
    let date = match date {
        Some(d) => check_date(d)?,
        None => today(),
    };
    record_date(schemas, &date)?;
    Ok(format!(
        "{} schemas ({changed} new or changed, {removed} removed), schema date {date}",
        by_type.len()
    ))
}

fn read_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "json") {
            let text = fs::read_to_string(&path)?;
            out.push((path.display().to_string(), text));
        }
    }
    Ok(out)
}

fn read_zip(file: &Path) -> Result<Vec<(String, String)>> {
    let reader = fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut archive =
        zip::ZipArchive::new(reader).with_context(|| format!("{} is not a zip", file.display()))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.to_string();
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .with_context(|| format!("reading {name} in {}", file.display()))?;
        out.push((name, text));
    }
    Ok(out)
}

/// The JSON with every object's keys sorted.
fn sorted(value: Json) -> Json {
    match value {
        Json::Object(map) => {
            let mut entries: Vec<(String, Json)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn check_date(date: &str) -> Result<String> {
    let ok = date.len() == 10
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !ok {
        bail!("schema date {date:?} is not YYYY-MM-DD");
    }
    Ok(date.to_string())
}

/// Today's date in UTC, from the system clock (civil-from-days, proleptic Gregorian).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Writes `date` into the `Schema date:` line of `schemas/README.md` (adding the line when the
/// README has none).
fn record_date(schemas: &Path, date: &str) -> Result<()> {
    let path = schemas.join("README.md");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let mut found = false;
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| match l.split_once("Schema date:") {
            Some((before, _)) if !found => {
                found = true;
                format!("{before}Schema date: {date}")
            }
            _ => l.to_string(),
        })
        .collect();
    if !found {
        lines.push(format!("- Schema date: {date}"));
    }
    fs::write(&path, lines.join("\n") + "\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_aws() {
        assert_eq!(file_name("AWS::EC2::VPC"), "aws-ec2-vpc.json");
        assert_eq!(file_name("Alexa::ASK::Skill"), "alexa-ask-skill.json");
    }

    #[test]
    fn dates_are_checked_and_today_is_plausible() {
        assert!(check_date("2026-10-20").is_ok());
        assert!(check_date("20261020").is_err());
        let t = today();
        assert!(check_date(&t).is_ok(), "{t}");
        assert!(t.as_str() > "2024-01-01");
    }
}
