//! A moto server for one test: started on 127.0.0.1 on a free port, warmed up, and killed when
//! the guard drops, also when the test fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The pinned tools folder: `STACKCRAFT_TOOLS`, or `.tools` at the repository root.
fn tools_dir() -> PathBuf {
    match std::env::var_os("STACKCRAFT_TOOLS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools"),
    }
}

impl Moto {
    /// Starts moto; panics (the test fails) when it is not installed or does not come up.
    pub fn start() -> Moto {
        let bin = tools_dir().join("venv/bin/moto_server");
        assert!(
            bin.exists(),
            "moto_server not found at {}: run scripts/tools.sh (or set STACKCRAFT_TOOLS)",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("moto.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            port,
            log,
            _dir: dir,
        };
        moto.wait_ready();
        moto.cfn(&[("Action", "ListStacks")]);
        moto
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok((status, _)) = self.request("GET", "/moto-api/", "s3", &[], "") {
                if status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not start in 30 s; its log:\n{}", self.log());
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// moto's own log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A command for one of the project's binaries, pointed at this server with dummy
    /// credentials.
    pub fn command(&self, bin: &str) -> Command {
        let mut cmd = Command::new(bin);
        super::fake_aws(&mut cmd, &self.endpoint());
        cmd
    }

    /// A CloudFormation query call, answered as XML text.
    pub fn cfn(&self, params: &[(&str, &str)]) -> String {
        let mut body = String::from("Version=2010-05-15");
        for (k, v) in params {
            body.push_str(&format!("&{k}={}", encode(v)));
        }
        let (_, text) = self
            .request("POST", "/", "cloudformation", &[], &body)
            .expect("moto answers");
        text
    }

    /// A JSON-protocol call (SSM, …) answered as text.
    pub fn json_call(&self, service: &str, target: &str, body: &str) -> String {
        let headers = [
            ("X-Amz-Target", target),
            ("Content-Type", "application/x-amz-json-1.1"),
        ];
        self.request("POST", "/", service, &headers, body)
            .expect("moto answers")
            .1
    }

    /// Creates an S3 bucket.
    pub fn create_bucket(&self, name: &str) {
        let (status, text) = self
            .request("PUT", &format!("/{name}"), "s3", &[], "")
            .expect("moto answers");
        assert_eq!(status, 200, "{text}");
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        service: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/\
             aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        if !headers.iter().any(|(k, _)| *k == "Content-Type") {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        Ok((status, body))
    }

    /// The stack's status, or `None` when moto does not know it.
    pub fn stack_status(&self, stack: &str) -> Option<String> {
        let text = self.cfn(&[("Action", "DescribeStacks"), ("StackName", stack)]);
        between(&text, "<StackStatus>", "</StackStatus>")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text between the first `start` and the next `end`.
pub fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].to_string())
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
