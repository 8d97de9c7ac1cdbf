//! Zips written the same way every time, and read back refusing anything unsafe.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::Error;

/// The biggest package `read` accepts, unpacked (a guard against zip bombs).
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;

/// Writes `files` in key order with a fixed date (1980-01-01 00:00), mode 0644 and deflate
/// level 6, so the bytes depend only on the files.
pub(crate) fn write(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (path, bytes) in files {
        // Writing to memory cannot fail; the paths are the package's own.
        zip.start_file(path.as_str(), options).expect("zip entry in memory");
        zip.write_all(bytes).expect("zip entry in memory");
    }
    zip.finish().expect("zip in memory").into_inner()
}

/// Whether a path inside a zip stays inside the folder it is unpacked into.
pub fn safe_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains(':')
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Reads every file of a zip; folders are implied. A path that could escape the folder it is
/// unpacked into (`../`, absolute, drive letters), a symbolic link or an oversized archive is an
/// error, not skipped.
pub(crate) fn read(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let bad = |m: String| Error::BadZip(m);
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = entry.name().map_err(|e| bad(e.to_string()))?.to_string();
        if entry.is_dir() {
            continue;
        }
        if !safe_path(&name) {
            return Err(bad(format!("`{name}` would be written outside the package folder")));
        }
        if entry.is_symlink() {
            return Err(bad(format!("`{name}` is a symbolic link")));
        }
        total += entry.size();
        if total > MAX_UNPACKED {
            return Err(bad(format!("more than {MAX_UNPACKED} bytes unpacked")));
        }
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data).map_err(|e| bad(format!("{name}: {e}")))?;
        files.insert(name, data);
    }
    Ok(files)
}
