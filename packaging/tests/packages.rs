//! Every format for both examples: golden listings and manifests, the manifests' required
//! elements and order (standards: SCORM CAM single SCO, cmi5 course structure), reproducible zips,
//! and each kind of bad input refused with a clear error.

use std::path::{Path, PathBuf};

use content::model::Module;
use packaging::{Cmi5Au, Error, Format, Options, Package};
use roxmltree::{Document, Node};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn load(dir: &Path) -> Module {
    let src = content::source::read_module(dir).unwrap();
    let loaded = content::validate::check(content::load::load(src));
    let errors: Vec<_> =
        loaded.diagnostics.iter().filter(|d| d.severity == content::diag::Severity::Error).collect();
    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    loaded.module.unwrap()
}

/// A stand-in player build: the real one is built by `cargo xtask player` and checked in the
/// browser tests; here only its place in the package matters.
fn fake_player() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for build in ["player", "player-lms"] {
        std::fs::create_dir_all(dir.path().join(build)).unwrap();
        for f in ["hearth-player.js", "hearth-player_bg.wasm", "hearth-player.css", "hearth-element.js"] {
            std::fs::write(dir.path().join(build).join(f), format!("{build}/{f}")).unwrap();
        }
        // Catalogs for two of the examples' languages and one no example uses.
        std::fs::create_dir_all(dir.path().join(build).join("i18n")).unwrap();
        for lang in ["ar", "fa", "de"] {
            std::fs::write(dir.path().join(build).join(format!("i18n/{lang}.txt")), lang).unwrap();
        }
    }
    dir
}

fn options(player: &Path) -> Options {
    Options {
        player: player.to_path_buf(),
        iri_base: "https://courses.example.org/hearth/".into(),
        lrs: None,
    }
}

const EXAMPLES: [&str; 2] = ["tuesday-night", "first-week"];

fn text(p: &Package, name: &str) -> String {
    String::from_utf8(p.files[name].clone()).unwrap()
}

#[test]
fn golden_listings_and_manifests() {
    let player = fake_player();
    for ex in EXAMPLES {
        let dir = root().join("examples").join(ex);
        let module = load(&dir);
        for format in Format::ALL {
            let p = packaging::build(&module, &dir, format, &options(player.path())).unwrap();
            let manifest = match format {
                Format::Scorm12 | Format::Scorm2004 => "imsmanifest.xml",
                Format::Cmi5 => "cmi5.xml",
                Format::Xapi => "tincan.xml",
                Format::Html => "embed.html",
            };
            let snap = format!(
                "{}\n--- {manifest}\n{}\n--- index.html\n{}",
                p.listing(),
                text(&p, manifest),
                text(&p, "index.html")
            );
            insta::assert_snapshot!(format!("{ex}-{format}"), snap);
        }
    }
}

fn elements<'a>(n: Node<'a, 'a>) -> Vec<Node<'a, 'a>> {
    n.children().filter(Node::is_element).collect()
}

fn names(n: Node<'_, '_>) -> Vec<String> {
    elements(n).iter().map(|c| c.tag_name().name().to_string()).collect()
}

fn child<'a>(n: Node<'a, 'a>, name: &str) -> Node<'a, 'a> {
    elements(n).into_iter().find(|c| c.tag_name().name() == name).unwrap_or_else(|| panic!("no <{name}>"))
}

fn check_scorm(p: &Package, v2004: bool) {
    let xml = text(p, "imsmanifest.xml");
    let doc = Document::parse(&xml).unwrap();
    let m = doc.root_element();
    let (cp, adlcp, version, ty) = if v2004 {
        (
            "http://www.imsglobal.org/xsd/imscp_v1p1",
            "http://www.adlnet.org/xsd/adlcp_v1p3",
            "2004 4th Edition",
            "scormType",
        )
    } else {
        (
            "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
            "http://www.adlnet.org/xsd/adlcp_rootv1p2",
            "1.2",
            "scormtype",
        )
    };
    assert_eq!(m.tag_name().namespace(), Some(cp));
    assert!(m.attribute("identifier").is_some());
    // CAM order: metadata, organizations, resources.
    assert_eq!(names(m), ["metadata", "organizations", "resources"]);
    let md = child(m, "metadata");
    assert_eq!(child(md, "schema").text(), Some("ADL SCORM"));
    assert_eq!(child(md, "schemaversion").text(), Some(version));
    let orgs = child(m, "organizations");
    let org = child(orgs, "organization");
    assert_eq!(orgs.attribute("default"), org.attribute("identifier"));
    assert_eq!(names(org), ["title", "item"]);
    let item = child(org, "item");
    assert_eq!(names(item)[0], "title");
    if v2004 {
        assert_eq!(names(item), ["title", "sequencing"]);
        let dc = child(child(item, "sequencing"), "deliveryControls");
        assert_eq!(dc.attribute("completionSetByContent"), Some("true"));
        assert_eq!(dc.attribute("objectiveSetByContent"), Some("true"));
    }
    let resources = child(m, "resources");
    let res = child(resources, "resource");
    assert_eq!(item.attribute("identifierref"), res.attribute("identifier"));
    assert_eq!(res.attribute("type"), Some("webcontent"));
    assert_eq!(res.attribute((adlcp, ty)), Some("sco"), "adlcp:{ty}");
    assert_eq!(res.attribute("href"), Some("index.html"));
    // Every file in the zip is listed, and every listed file is in the zip.
    let listed: Vec<&str> = elements(res).iter().map(|f| f.attribute("href").unwrap()).collect();
    let mut in_zip: Vec<&str> =
        p.files.keys().map(String::as_str).filter(|f| *f != "imsmanifest.xml").collect();
    in_zip.sort();
    assert_eq!(listed, in_zip);
}

fn absolute_iri(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !rest.is_empty()
    })
}

fn check_cmi5(p: &Package, module: &Module) {
    let xml = text(p, "cmi5.xml");
    let doc = Document::parse(&xml).unwrap();
    let cs = doc.root_element();
    assert_eq!(cs.tag_name().name(), "courseStructure");
    assert_eq!(cs.tag_name().namespace(), Some("https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"));
    assert_eq!(names(cs), ["course", "au"]);
    let course = child(cs, "course");
    assert_eq!(names(course), ["title", "description"]);
    let au = child(cs, "au");
    // AU content order from CourseStructure.xsd: title, description, (objectives), url, …
    assert_eq!(names(au), ["title", "description", "url"]);
    let ids = [course.attribute("id").unwrap(), au.attribute("id").unwrap()];
    assert!(ids.iter().all(|i| absolute_iri(i)), "{ids:?}");
    assert_ne!(ids[0], ids[1]);
    for n in [child(course, "title"), child(au, "title"), child(au, "description")] {
        let langs: Vec<_> = elements(n).iter().map(|l| l.attribute("lang").unwrap().to_string()).collect();
        assert_eq!(langs, module.languages);
    }
    let url = child(au, "url").text().unwrap();
    assert!(!absolute_iri(url) && p.files.contains_key(url), "the AU url {url} is in the zip");
    let au_read = Cmi5Au::parse(&xml).unwrap();
    assert_eq!(au_read.move_on, "CompletedAndPassed");
    assert_eq!(au_read.mastery_score, Some(module.mastery));
    assert!((0.0..=1.0).contains(&module.mastery));
}

fn check_tincan(p: &Package, module: &Module) {
    let xml = text(p, "tincan.xml");
    let doc = Document::parse(&xml).unwrap();
    let t = doc.root_element();
    assert_eq!(t.tag_name().namespace(), Some("http://projecttincan.com/tincan.xsd"));
    let activity = child(child(t, "activities"), "activity");
    assert_eq!(
        activity.attribute("id"),
        Some(format!("https://courses.example.org/hearth/{}", module.id).as_str())
    );
    let launch = child(activity, "launch").text().unwrap();
    assert!(p.files.contains_key(launch));
    let names_langs: Vec<_> = elements(activity)
        .iter()
        .filter(|e| e.tag_name().name() == "name")
        .map(|e| e.attribute("lang").unwrap().to_string())
        .collect();
    assert_eq!(names_langs, module.languages);
}

#[test]
fn manifests_have_the_required_elements_in_order() {
    let player = fake_player();
    for ex in EXAMPLES {
        let dir = root().join("examples").join(ex);
        let module = load(&dir);
        let build = |f| packaging::build(&module, &dir, f, &options(player.path())).unwrap();
        check_scorm(&build(Format::Scorm12), false);
        check_scorm(&build(Format::Scorm2004), true);
        check_cmi5(&build(Format::Cmi5), &module);
        check_tincan(&build(Format::Xapi), &module);
        for f in Format::ALL {
            let p = build(f);
            // The right player build, the module, and the format on the launch page.
            let player_file = &p.files["player/hearth-player.js"];
            let want =
                if f == Format::Html { "player/hearth-player.js" } else { "player-lms/hearth-player.js" };
            assert_eq!(player_file, want.as_bytes());
            assert_eq!(p.files[&format!("module/{}.bin", module.id)], content::compiled_binary(&module));
            let page = text(&p, "index.html");
            assert_eq!(page.contains(&format!("format=\"{f}\"")), f != Format::Html, "{page}");
        }
    }
}

#[test]
fn zips_are_reproducible_and_read_back() {
    let player = fake_player();
    let dir = root().join("examples/tuesday-night");
    let module = load(&dir);
    for f in Format::ALL {
        let a = packaging::build(&module, &dir, f, &options(player.path())).unwrap();
        // Loaded again from a copy elsewhere, at another time: the same bytes.
        let copy = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), copy.path().join(e.file_name())).unwrap();
        }
        let b = packaging::build(&load(copy.path()), copy.path(), f, &options(player.path())).unwrap();
        assert_eq!(a.zip(), b.zip(), "{f}");
        assert_eq!(Package::from_zip(&a.zip()).unwrap(), a);
    }
}

/// The scaffold module with one image, in a temporary folder.
fn module_with_media() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(root().join("cli/templates/module.yaml"))
        .unwrap()
        .replace("MODULE_ID", "t.media")
        .replace(
            "    next: n.first-choice",
            "    media:\n      - { id: m.room, src: media/room.svg, kind: image, alt: \"A quiet room\" }\n    next: n.first-choice",
        );
    std::fs::write(dir.path().join("module.yaml"), yaml).unwrap();
    std::fs::create_dir(dir.path().join("media")).unwrap();
    std::fs::write(dir.path().join("media/room.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    dir
}

#[test]
fn scorm_packages_can_report_to_an_lrs_without_a_secret() {
    let player = fake_player();
    let dir = root().join("examples/first-week");
    let module = load(&dir);
    let lrs = packaging::PackageLrs {
        endpoint: "https://lrs.example.org/xapi".into(),
        key: "0123abcd".into(),
        home_page: "https://lms.example.org".into(),
    };
    let opts = Options { lrs: Some(lrs.clone()), ..options(player.path()) };
    for f in Format::ALL {
        let page = text(&packaging::build(&module, &dir, f, &opts).unwrap(), "index.html");
        let config = "<script type=\"application/json\" id=\"hearth-lrs\">{\"activity\":\"https://courses.example.org/hearth/fc.first-week\",\"endpoint\":\"https://lrs.example.org/xapi/\",\"home\":\"https://lms.example.org\",\"key\":\"0123abcd\"}</script>";
        // Only SCORM packages get it: cmi5 and xAPI launches name their LRS at launch time.
        assert_eq!(page.contains(config), matches!(f, Format::Scorm12 | Format::Scorm2004), "{f}: {page}");
        assert!(!page.contains("secret"), "{page}");
    }
    let bad = Options {
        lrs: Some(packaging::PackageLrs { endpoint: "lrs.example.org".into(), ..lrs }),
        ..options(player.path())
    };
    let e = packaging::build(&module, &dir, Format::Scorm12, &bad).unwrap_err();
    assert!(e.to_string().contains("--lrs `lrs.example.org`"), "{e}");
}

#[test]
fn media_travel_with_the_module() {
    let player = fake_player();
    let dir = module_with_media();
    let module = load(dir.path());
    let p = packaging::build(&module, dir.path(), Format::Scorm12, &options(player.path())).unwrap();
    assert_eq!(p.files["module/t.media/media/room.svg"], b"<svg xmlns='http://www.w3.org/2000/svg'/>");
    assert!(text(&p, "imsmanifest.xml").contains("<file href=\"module/t.media/media/room.svg\"/>"));
}

/// A portrait and a theme are module files too: they travel, and every launch page and the
/// embed guide link the theme after the player's stylesheet.
#[test]
fn portraits_and_the_theme_travel_and_the_theme_is_linked() {
    let player = fake_player();
    let dir = module_with_media();
    let yaml = std::fs::read_to_string(dir.path().join("module.yaml")).unwrap();
    std::fs::write(dir.path().join("module.yaml"), format!("{yaml}\ntheme: look/harbour.css\n")).unwrap();
    std::fs::create_dir(dir.path().join("look")).unwrap();
    std::fs::write(dir.path().join("look/harbour.css"), ".hearth { --h-accent: #0f6b5c; }").unwrap();
    let module = load(dir.path());
    assert_eq!(module.theme.as_deref(), Some("look/harbour.css"));
    for f in Format::ALL {
        let p = packaging::build(&module, dir.path(), f, &options(player.path())).unwrap();
        assert!(p.files.contains_key("module/t.media/look/harbour.css"), "{f}");
        let page = text(&p, "index.html");
        let (player_css, theme) = (
            page.find("player/hearth-player.css").unwrap(),
            page.find("<link rel=\"stylesheet\" href=\"module/t.media/look/harbour.css\">").unwrap(),
        );
        assert!(player_css < theme, "{f}: the theme comes after the player's stylesheet");
        if f == Format::Html {
            assert!(text(&p, "embed.html").contains("module/t.media/look/harbour.css"));
        }
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    let player = fake_player();
    let opts = options(player.path());

    // A media file deleted after the check.
    let dir = module_with_media();
    let module = load(dir.path());
    std::fs::remove_file(dir.path().join("media/room.svg")).unwrap();
    let e = packaging::build(&module, dir.path(), Format::Html, &opts).unwrap_err();
    assert!(matches!(e, Error::Media { .. }), "{e}");
    assert!(e.to_string().contains("media/room.svg"), "{e}");

    // A media file that is a link to a file outside the module, and a folder that is.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.svg"), "secret").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.svg"), dir.path().join("media/room.svg")).unwrap();
    let e = packaging::build(&module, dir.path(), Format::Html, &opts).unwrap_err();
    assert!(matches!(e, Error::Symlink { .. }), "{e}");
    std::fs::remove_file(dir.path().join("media/room.svg")).unwrap();
    std::fs::remove_dir(dir.path().join("media")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("media")).unwrap();
    std::fs::rename(outside.path().join("secret.svg"), outside.path().join("room.svg")).unwrap();
    let e = packaging::build(&module, dir.path(), Format::Html, &opts).unwrap_err();
    assert!(matches!(e, Error::Escapes { .. }), "{e}");

    // A path that escapes, in a module built by hand (the loader refuses it in YAML).
    let mut escaping = module.clone();
    escaping.nodes[0].media[0].src = "../../etc/passwd".into();
    let e = packaging::build(&escaping, dir.path(), Format::Html, &opts).unwrap_err();
    assert!(matches!(e, Error::Escapes { .. }), "{e}");

    // An unknown format, a relative activity-id base, a missing player build.
    let e = "scorm3".parse::<Format>().unwrap_err();
    assert!(e.to_string().contains("unknown format `scorm3`"), "{e}");
    let ex = root().join("examples/tuesday-night");
    let m = load(&ex);
    let e = packaging::build(&m, &ex, Format::Cmi5, &Options { iri_base: "courses/".into(), ..opts.clone() })
        .unwrap_err();
    assert!(matches!(e, Error::BadIri(_)), "{e}");
    let e = packaging::build(&m, &ex, Format::Cmi5, &Options { player: "/nonexistent".into(), ..opts })
        .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/player-lms/hearth-player.js"), "{e}");
}

#[test]
fn zips_with_unsafe_paths_are_refused() {
    use std::io::Write;
    for name in ["../evil.html", "/etc/evil", "a/../../evil", "C:/evil", "a\\..\\evil"] {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"x").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let e = Package::from_zip(&bytes).unwrap_err();
        assert!(e.to_string().contains("outside the package folder"), "{name}: {e}");
    }
}
