//! Running a platform client (`cf`, `kubectl`, `btp`, `curl`) as a child process: arguments as
//! a vector (never a shell), standard output kept in memory and never logged, a time limit per
//! call after which the child and everything it started are killed.

use super::{CallError, Client, Reply};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// More than any answer of the platform's APIs needs (CF pages of 5,000 bindings are a few MB);
/// beyond it the call fails instead of filling memory.
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// The real clients on `PATH`.
pub struct Processes;

impl Client for Processes {
    fn call(
        &self,
        program: &str,
        args: &[String],
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Reply, CallError> {
        let mut command = Command::new(program);
        command
            .args(args)
            // No colours, no prompts: the clients' output is parsed, never shown.
            .env("CF_COLOR", "false")
            .env("NO_COLOR", "1");
        run(command, program, stdin, timeout)
    }
}

/// Runs `command` (arguments, folder and environment already set) with the time limit, standard
/// output and error kept in memory: what every client call and `propose`'s `git`, `gh` and
/// `glab` calls go through.
pub fn run(mut command: Command, program: &str, stdin: Option<&[u8]>, timeout: Duration) -> Result<Reply, CallError> {
    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so that a timeout kills whatever the client started too.
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CallError::Missing(program.to_string()),
        _ => CallError::Failed(format!("cannot run `{program}`: {e}")),
    })?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Small inputs (a curl configuration): written before the output is read.
        let _ = pipe.write_all(input);
    }
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                kill(&mut child);
                return Err(CallError::TimedOut(program.to_string(), timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill(&mut child);
                return Err(CallError::Failed(format!("cannot wait for `{program}`: {e}")));
            }
        }
    };
    // The child is gone; a grandchild could still hold the pipes open: wait for them no
    // longer than what is left of the time limit.
    let left = timeout.saturating_sub(started.elapsed()).max(Duration::from_millis(100));
    let stdout = stdout.recv_timeout(left).map_err(|_| CallError::TimedOut(program.to_string(), timeout))?;
    let stderr = stderr.recv_timeout(left).unwrap_or_default();
    if stdout.len() as u64 > MAX_OUTPUT {
        return Err(CallError::Failed(format!("`{program}` answered with more than {MAX_OUTPUT} bytes")));
    }
    Ok(Reply { status: status.code(), stdout, stderr })
}

/// Reads a pipe to its end on a thread of its own (so that a full pipe never stalls the child).
fn reader(pipe: Option<impl Read + Send + 'static>) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(MAX_OUTPUT + 1).read_to_end(&mut out);
        }
        let _ = tx.send(out);
    });
    rx
}

fn kill(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: signals the process group this call created for the child; no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
