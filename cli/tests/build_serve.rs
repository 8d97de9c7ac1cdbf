//! `hearth build` and `hearth serve` as processes: packages written (or refused with nothing
//! written), and the small cmi5 LMS of `hearth serve` over real HTTP with its embedded LRS.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth")).args(args).current_dir(root()).output().expect("hearth runs")
}

/// A stand-in player build (the real one is exercised by the browser tests). Its files repeat
/// their names, so that they compress.
fn fake_player(dir: &Path) -> PathBuf {
    for build in ["player", "player-lms"] {
        std::fs::create_dir_all(dir.join(build)).unwrap();
        for f in ["hearth-player.js", "hearth-player_bg.wasm", "hearth-player.css", "hearth-element.js"] {
            std::fs::write(dir.join(build).join(f), format!("{f} ").repeat(200)).unwrap();
        }
        std::fs::create_dir_all(dir.join(build).join("i18n")).unwrap();
        std::fs::write(dir.join(build).join("i18n/ar.txt"), "ar").unwrap();
    }
    dir.to_path_buf()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn build_writes_every_format_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let player = fake_player(&tmp.path().join("dist"));
    let out = tmp.path().join("packages");
    let args =
        ["build", "examples/tuesday-night", "examples/first-week", "--out", s(&out), "--player", s(&player)];
    let o = hearth(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let want: Vec<String> = ["fc.first-week", "fc.tuesday-night"]
        .iter()
        .flat_map(|m| ["cmi5", "html", "scorm12", "scorm2004", "xapi"].map(|f| format!("{m}-{f}.zip")))
        .collect();
    assert_eq!(names, want);
    let first = std::fs::read(out.join("fc.tuesday-night-scorm12.zip")).unwrap();
    // Again, into the same folder: byte for byte the same.
    assert!(hearth(&args).status.success());
    assert_eq!(std::fs::read(out.join("fc.tuesday-night-scorm12.zip")).unwrap(), first);
    // One format, then a list.
    let one = tmp.path().join("one");
    let o = hearth(&[
        "build",
        "examples/first-week",
        "--format",
        "cmi5,xapi",
        "--out",
        s(&one),
        "--player",
        s(&player),
    ]);
    assert!(o.status.success());
    assert_eq!(std::fs::read_dir(&one).unwrap().count(), 2);
}

#[test]
fn build_refuses_bad_input_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let player = fake_player(&tmp.path().join("dist"));
    let out = tmp.path().join("packages");
    // A module with errors: the diagnostics with file:line:column, exit 2, no folder.
    let o = hearth(&[
        "build",
        "content/tests/fixtures/broken/unknown-next",
        "--out",
        s(&out),
        "--player",
        s(&player),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("module.yaml:") && err.contains("error(s)"), "{err}");
    assert!(!out.exists());
    // A clean module followed by a broken one: still nothing written.
    let o = hearth(&[
        "build",
        "examples/first-week",
        "content/tests/fixtures/broken/unknown-next",
        "--out",
        s(&out),
        "--player",
        s(&player),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // An unknown format.
    let o = hearth(&["build", "examples/first-week", "--format", "scorm3", "--out", s(&out)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("unknown format `scorm3`"), "{err}");
    // No player build.
    let o =
        hearth(&["build", "examples/first-week", "--out", s(&out), "--player", s(&tmp.path().join("nope"))]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("player build is missing") && err.contains("cargo xtask player"), "{err}");
    assert!(!out.exists());
    // A media file missing from the folder (the check reports it where the module names it).
    let module = tmp.path().join("m");
    std::fs::create_dir_all(&module).unwrap();
    let yaml = std::fs::read_to_string(root().join("cli/templates/module.yaml")).unwrap().replace("MODULE_ID", "t.m").replace(
        "    next: n.first-choice",
        "    media:\n      - { id: m.room, src: media/room.jpg, kind: image, alt: \"A room\" }\n    next: n.first-choice",
    );
    std::fs::write(module.join("module.yaml"), yaml).unwrap();
    let o = hearth(&["build", s(&module), "--out", s(&out), "--player", s(&player)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("media/room.jpg") && err.contains("module.yaml:"), "{err}");
    assert!(!out.exists());
}

/// `hearth serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, data: &Path, player: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["serve", s(dir), "--listen", "127.0.0.1:0", "--data", s(data), "--player", s(player)])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("hearth serve said where it is").unwrap();
        if let Some(rest) = line.strip_prefix("Hearth is at ") {
            break rest.split('/').take(3).collect::<Vec<_>>().join("/");
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn serve_launches_a_cmi5_au_against_its_lrs() {
    let tmp = tempfile::tempdir().unwrap();
    let player = fake_player(&tmp.path().join("dist"));
    let modules = tmp.path().join("modules");
    copy_dir(&root().join("examples/tuesday-night"), &modules.join("tuesday-night"));
    let srv = serve(&modules, &tmp.path().join("data"), &player);
    let http = client();

    let page = http.get(format!("{}/", srv.base)).send().unwrap().text().unwrap();
    assert!(page.contains("Tuesday night") && page.contains("/launch/tuesday-night"), "{page}");
    assert!(page.contains("Türkçe"), "every language is offered");

    // The launch: a redirect to the AU with the cmi5 parameters.
    let r = http.get(format!("{}/launch/tuesday-night?lang=tr&learner=ayse", srv.base)).send().unwrap();
    assert_eq!(r.status(), 303);
    let location = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.path().ends_with("/au/tuesday-night/index.html"));
    let q: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    for k in ["endpoint", "fetch", "actor", "registration", "activityId"] {
        assert!(q.contains_key(k), "{k} in {location}");
    }
    assert_eq!(q["activityId"], "urn:hearth:module:fc.tuesday-night");
    // The AU's page, with the format and the preview's relaunch script.
    let au = http.get(location.clone()).send().unwrap().text().unwrap();
    assert!(au.contains("format=\"cmi5\"") && au.contains("/launch/tuesday-night?lang=tr"), "{au}");
    let wasm =
        http.get(format!("{}/au/tuesday-night/player/hearth-player_bg.wasm", srv.base)).send().unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");

    // The fetch URL gives a token once, then cmi5's error 1.
    let t: Value = http.post(&q["fetch"]).send().unwrap().json().unwrap();
    let token = t["auth-token"].as_str().expect("a token").to_string();
    let again: Value = http.post(&q["fetch"]).send().unwrap().json().unwrap();
    assert_eq!(again["error-code"], "1");

    // What the AU reads at startup, with its token: LaunchData and the learner's language.
    let xapi = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{}{path}", q["endpoint"]))
            .header("authorization", format!("Basic {token}"))
            .header("x-experience-api-version", "1.0.3")
    };
    let agent = &q["actor"];
    let state: Value = xapi(reqwest::Method::GET, "activities/state")
        .query(&[
            ("activityId", &q["activityId"]),
            ("agent", agent),
            ("registration", &q["registration"]),
            ("stateId", &"LMS.LaunchData".to_string()),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(state["moveOn"], "CompletedAndPassed");
    assert_eq!(state["masteryScore"], 0.6);
    assert_eq!(state["launchMode"], "Normal");
    let prefs: Value = xapi(reqwest::Method::GET, "agents/profile")
        .query(&[("agent", agent.as_str()), ("profileId", "cmi5LearnerPreferences")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(prefs["languagePreference"], "tr");
    // The same learner again, in another language: a new registration, the preference updated.
    let r = http.get(format!("{}/launch/tuesday-night?lang=ar&learner=ayse", srv.base)).send().unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());

    // A statement from the AU lands, and the results pages show the attempt.
    let actor: Value = serde_json::from_str(agent).unwrap();
    let completed = json!({
        "actor": actor,
        "verb": { "id": "http://adlnet.gov/expapi/verbs/passed", "display": { "en-US": "passed" } },
        "object": { "id": q["activityId"] },
        "result": { "success": true, "completion": true, "score": { "scaled": 0.8 } },
        "context": { "registration": q["registration"] },
    });
    let r = xapi(reqwest::Method::POST, "statements").json(&completed).send().unwrap();
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    let results = http.get(format!("{}/results/tuesday-night", srv.base)).send().unwrap().text().unwrap();
    assert!(results.contains(&q["registration"]) && results.contains("data-outcome=\"passed\""), "{results}");
    assert!(results.contains("ayse") && results.contains("80 %"), "{results}");
    let one = http
        .get(format!("{}/results/tuesday-night/{}", srv.base, q["registration"]))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(one.contains("data-verb=\"launched\"") && one.contains("data-verb=\"passed\""), "{one}");
    // A token is not the server's credential: another learner's statement is refused.
    let mut other = completed.clone();
    other["actor"]["account"]["name"] = json!("someone-else");
    assert_eq!(xapi(reqwest::Method::POST, "statements").json(&other).send().unwrap().status(), 403);
}

#[test]
fn serve_rebuilds_a_module_when_its_files_change() {
    let tmp = tempfile::tempdir().unwrap();
    let player = fake_player(&tmp.path().join("dist"));
    let modules = tmp.path().join("modules");
    let dir = modules.join("first-week");
    copy_dir(&root().join("examples/first-week"), &dir);
    let srv = serve(&modules, &tmp.path().join("data"), &player);
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let since: u64 = http
        .get(format!("{}/_hearth/changes?since=999", srv.base))
        .send()
        .unwrap()
        .text()
        .unwrap()
        .parse()
        .unwrap();

    // Break the module: the long poll returns, and the catalogue shows where the error is.
    let yaml = std::fs::read_to_string(dir.join("module.yaml")).unwrap();
    let waiter = {
        let url = format!("{}/_hearth/changes?since={since}", srv.base);
        std::thread::spawn(move || reqwest::blocking::get(url).unwrap().text().unwrap())
    };
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.join("module.yaml"), format!("{yaml}\nbogus_key: 1\n")).unwrap();
    let next: u64 = waiter.join().unwrap().parse().unwrap();
    assert!(next > since);
    let page = http.get(format!("{}/", srv.base)).send().unwrap().text().unwrap();
    assert!(page.contains("cannot be played yet") && page.contains("module.yaml:"), "{page}");
    let r = http.get(format!("{}/launch/first-week", srv.base)).send().unwrap();
    assert_eq!(r.status(), 404);

    // Fixed again: launchable again.
    std::fs::write(dir.join("module.yaml"), &yaml).unwrap();
    for _ in 0..50 {
        let page = http.get(format!("{}/", srv.base)).send().unwrap().text().unwrap();
        if page.contains("/launch/first-week") {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the module did not come back after the fix");
}

/// What a phone downloads, and what it downloads again: the player under a URL naming its
/// version, compressed by `Accept-Encoding` and immutable; the package's own files with ETags.
#[test]
fn serve_sends_files_compressed_and_cacheable() {
    let tmp = tempfile::tempdir().unwrap();
    let player = fake_player(&tmp.path().join("dist"));
    // `cargo xtask player` writes a precompressed copy beside each file: served as it is.
    std::fs::write(player.join("player-lms/hearth-player.css.br"), b"precompressed").unwrap();
    let modules = tmp.path().join("modules");
    copy_dir(&root().join("examples/tuesday-night"), &modules.join("tuesday-night"));
    let srv = serve(&modules, &tmp.path().join("data"), &player);
    let http = client();
    let r = http.get(format!("{}/launch/tuesday-night?lang=ar", srv.base)).send().unwrap();
    let au = r.headers()["location"].to_str().unwrap().to_string();

    // The launch page names the player by its version, preloads it, the module and the
    // learner's catalog, and registers the service worker.
    let page = http.get(&au).send().unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let page = page.text().unwrap();
    let at = page.find("\"/player/").expect("the player at a versioned URL") + "\"/player/".len();
    let version = &page[at..at + 16];
    assert!(version.bytes().all(|b| b.is_ascii_hexdigit()), "{page}");
    let player_url = format!("{}/player/{version}", srv.base);
    for want in [
        format!("<script type=\"module\" src=\"/player/{version}/hearth-element.js?v={version}\">"),
        format!(
            "<link rel=\"preload\" href=\"/player/{version}/hearth-player_bg.wasm?v={version}\" as=\"fetch\""
        ),
        format!("<link rel=\"modulepreload\" href=\"/player/{version}/hearth-player.js?v={version}\">"),
        "<link rel=\"preload\" href=\"module/fc.tuesday-night.bin\" as=\"fetch\" crossorigin>".to_string(),
        format!("<link rel=\"preload\" href=\"/player/{version}/i18n/ar.txt\" as=\"fetch\" crossorigin>"),
        "register('/au/hearth-sw.js', { scope: '/au/' })".to_string(),
    ] {
        assert!(page.contains(&want), "{want} in\n{page}");
    }
    assert!(!page.contains("\"player/"), "{page}");

    // Compressed by content negotiation, immutable, and Vary so that caches keep them apart.
    let wasm = std::fs::read(player.join("player-lms/hearth-player_bg.wasm")).unwrap();
    for (encoding, decode) in [
        (
            "br",
            (|b: &[u8]| {
                let mut out = Vec::new();
                brotli::BrotliDecompress(&mut &b[..], &mut out).unwrap();
                out
            }) as fn(&[u8]) -> Vec<u8>,
        ),
        ("gzip", |b: &[u8]| {
            use std::io::Read;
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(b).read_to_end(&mut out).unwrap();
            out
        }),
    ] {
        let r = http
            .get(format!("{player_url}/hearth-player_bg.wasm"))
            .header("accept-encoding", format!("{encoding}, identity"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["content-encoding"], encoding);
        assert_eq!(h["content-type"], "application/wasm");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert!(h.get_all("vary").iter().any(|v| v.to_str().unwrap().contains("accept-encoding")), "{h:?}");
        let body = r.bytes().unwrap();
        assert!(body.len() < wasm.len() / 4);
        assert_eq!(decode(&body), wasm, "{encoding}");
    }
    let r = http.get(format!("{player_url}/hearth-player_bg.wasm")).send().unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.bytes().unwrap(), wasm);
    let css =
        http.get(format!("{player_url}/hearth-player.css")).header("accept-encoding", "br").send().unwrap();
    assert_eq!(css.bytes().unwrap(), "precompressed");
    let catalog = http.get(format!("{player_url}/i18n/ar.txt")).send().unwrap();
    assert_eq!(catalog.status(), 200);
    let missing = http.get(format!("{player_url}/nope.js")).send().unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers().get("cache-control").is_none_or(|c| !c.to_str().unwrap().contains("immutable"))
    );

    // The module: no-cache with an ETag, 304 when the browser has it, compressed on request.
    let module = format!("{}/au/tuesday-night/module/fc.tuesday-night.bin", srv.base);
    let r = http.get(&module).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let bin = r.bytes().unwrap();
    let again = http.get(&module).header("if-none-match", &etag).send().unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().unwrap().is_empty());
    let other = http.get(&module).header("if-none-match", "W/\"0000000000000000\"").send().unwrap();
    assert_eq!(other.status(), 200);
    let gz = http.get(&module).header("accept-encoding", "gzip").send().unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert!(gz.headers()["vary"].to_str().unwrap().contains("accept-encoding"));
    let packed = gz.bytes().unwrap();
    assert!(packed.len() < bin.len() / 2);

    // The service worker, for every AU.
    let sw = http.get(format!("{}/au/hearth-sw.js", srv.base)).send().unwrap();
    assert_eq!(sw.status(), 200);
    assert!(sw.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(sw.text().unwrap().contains("addEventListener('fetch'"));
}
