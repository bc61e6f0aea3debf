//! OpenSSL's OCSP responder and client for the tests, over a directory that holds the CA
//! (`ca.pem`), its database (`index.txt`) and certificates and keys as `NAME.pem` and
//! `NAME.key`; free loopback ports; child processes killed when their guard drops.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child process killed when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `openssl ocsp` on `port`, answering from `dir`'s `index.txt` for `ca.pem` and
/// signing with `signer` (`signer.pem`, `signer.key`); returns when it is listening.
pub fn start_responder(openssl: &Path, dir: &Path, signer: &str, port: u16) -> KillOnDrop {
    let mut child = Command::new(openssl)
        .args(["ocsp", "-index"])
        .arg(dir.join("index.txt"))
        .arg("-CA")
        .arg(dir.join("ca.pem"))
        .arg("-rsigner")
        .arg(dir.join(format!("{signer}.pem")))
        .arg("-rkey")
        .arg(dir.join(format!("{signer}.key")))
        // OpenSSL 3.0's responder takes a port number only (it listens on every interface);
        // the clients here always connect to 127.0.0.1.
        .args(["-nmin", "60", "-port"])
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl ocsp starts");
    // Ready when it says so (a probing connection that sends nothing makes this responder
    // spin). Its standard error is drained by a thread from then on.
    let stderr = child.stderr.take().expect("piped stderr");
    let guard = KillOnDrop(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.contains("waiting for OCSP client connections") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("openssl ocsp is listening");
    guard
}

/// Asks the responder on `port` about `which` (`dir/which.pem`, issued by `dir/ca.pem`)
/// with openssl's client, without a nonce; the DER response, also left at `out`.
pub fn fetch_response(openssl: &Path, dir: &Path, which: &str, port: u16, out: &Path) -> Vec<u8> {
    let status = Command::new(openssl)
        .args(["ocsp", "-issuer"])
        .arg(dir.join("ca.pem"))
        .arg("-cert")
        .arg(dir.join(format!("{which}.pem")))
        .arg("-url")
        .arg(format!("http://127.0.0.1:{port}/"))
        .args(["-noverify", "-no_nonce", "-respout"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl ocsp client for {which}");
    std::fs::read(out).unwrap()
}
