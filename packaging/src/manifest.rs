//! The manifests: `imsmanifest.xml` (SCORM 1.2 and 2004 4th edition), `cmi5.xml` and
//! `tincan.xml`, written as text in the element order their schemas require, and `cmi5.xml` read
//! back (for `hearth serve`, which launches cmi5 packages as a small LMS).
//!
//! Choices that matter to LMSs:
//! - One SCO, no sequencing rules. SCORM 2004 says the content sets completion and success
//!   (`deliveryControls completionSetByContent objectiveSetByContent`), and neither version
//!   carries a mastery score: an ending can fail whatever the score (`pass: false`), so an LMS
//!   must not turn a score into "passed" on its own.
//! - cmi5: `moveOn="CompletedAndPassed"` with the module's mastery as `masteryScore`
//!   (`Completed` when the module has no pass mark); the AU's id is the module's activity id, the
//!   course's id is that with `/course`.
//! - Titles and descriptions in every language the module carries.

use content::model::Module;

use crate::{Error, esc};

/// SCORM 1.2 (`version2004 = false`) or 2004 4th edition `imsmanifest.xml` listing `files`.
pub(crate) fn scorm(module: &Module, version2004: bool, files: &[&str]) -> String {
    let title = esc(module.text(&module.source_lang, &module.title));
    let id = esc(&module.id);
    let version = esc(&module.version);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if version2004 {
        x += &format!(
            "<manifest identifier=\"{id}\" version=\"{version}\"\n  \
             xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"\n  \
             xmlns:adlcp=\"http://www.adlnet.org/xsd/adlcp_v1p3\"\n  \
             xmlns:adlseq=\"http://www.adlnet.org/xsd/adlseq_v1p3\"\n  \
             xmlns:adlnav=\"http://www.adlnet.org/xsd/adlnav_v1p3\"\n  \
             xmlns:imsss=\"http://www.imsglobal.org/xsd/imsss\"\n  \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n  \
             xsi:schemaLocation=\"http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd \
             http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd \
             http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd \
             http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd \
             http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd\">\n  \
             <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>2004 4th Edition</schemaversion>\n  </metadata>\n"
        );
    } else {
        x += &format!(
            "<manifest identifier=\"{id}\" version=\"{version}\"\n  \
             xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\"\n  \
             xmlns:adlcp=\"http://www.adlnet.org/xsd/adlcp_rootv1p2\"\n  \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n  \
             xsi:schemaLocation=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd \
             http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd \
             http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd\">\n  \
             <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>1.2</schemaversion>\n  </metadata>\n"
        );
    }
    x += &format!(
        "  <organizations default=\"org\">\n    <organization identifier=\"org\">\n      <title>{title}</title>\n      \
         <item identifier=\"item\" identifierref=\"sco\">\n        <title>{title}</title>\n"
    );
    if version2004 {
        x += "        <imsss:sequencing>\n          \
              <imsss:deliveryControls completionSetByContent=\"true\" objectiveSetByContent=\"true\"/>\n        \
              </imsss:sequencing>\n";
    }
    let scorm_type = if version2004 { "scormType" } else { "scormtype" };
    x += &format!(
        "      </item>\n    </organization>\n  </organizations>\n  <resources>\n    \
         <resource identifier=\"sco\" type=\"webcontent\" adlcp:{scorm_type}=\"sco\" href=\"index.html\">\n"
    );
    for f in files {
        x += &format!("      <file href=\"{}\"/>\n", esc(f));
    }
    x += "    </resource>\n  </resources>\n</manifest>\n";
    x
}

/// The texts of `key` in every language the module carries, as `(lang, text)`.
fn each_lang<'a>(module: &'a Module, key: &'a str) -> impl Iterator<Item = (&'a str, String)> + 'a {
    module.languages.iter().map(move |l| (l.as_str(), esc(module.text(l, key))))
}

/// A module's description key, or its title when the author wrote none (cmi5 requires one).
fn description_key(module: &Module) -> &str {
    module.description.as_deref().unwrap_or(&module.title)
}

/// `cmi5.xml`: one course with one AU launched from `index.html`.
pub(crate) fn cmi5(module: &Module, activity: &str) -> String {
    let langstrings = |key: &str, indent: &str| -> String {
        each_lang(module, key)
            .map(|(l, t)| format!("{indent}<langstring lang=\"{l}\">{t}</langstring>\n"))
            .collect()
    };
    let title = langstrings(&module.title, "      ");
    let description = langstrings(description_key(module), "      ");
    let mastery = if module.mastery > 0.0 {
        format!(" moveOn=\"CompletedAndPassed\" masteryScore=\"{}\"", score(module.mastery))
    } else {
        " moveOn=\"Completed\"".to_string()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <courseStructure xmlns=\"https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd\">\n  \
         <course id=\"{course}\">\n    <title>\n{title}    </title>\n    <description>\n{description}    </description>\n  </course>\n  \
         <au id=\"{au}\" launchMethod=\"AnyWindow\"{mastery}>\n    <title>\n{title}    </title>\n    \
         <description>\n{description}    </description>\n    <url>index.html</url>\n  </au>\n\
         </courseStructure>\n",
        course = esc(&format!("{activity}/course")),
        au = esc(activity),
    )
}

/// `tincan.xml`: the module as one activity launched from `index.html`.
pub(crate) fn tincan(module: &Module, activity: &str) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tincan xmlns=\"http://projecttincan.com/tincan.xsd\">\n  \
         <activities>\n    <activity id=\"{}\" type=\"{}\">\n",
        esc(activity),
        MODULE_TYPE,
    );
    for (l, t) in each_lang(module, &module.title) {
        x += &format!("      <name lang=\"{l}\">{t}</name>\n");
    }
    for (l, t) in each_lang(module, description_key(module)) {
        x += &format!("      <description lang=\"{l}\">{t}</description>\n");
    }
    x += &format!("      <launch lang=\"{}\">index.html</launch>\n", esc(&module.source_lang));
    x += "    </activity>\n  </activities>\n</tincan>\n";
    x
}

/// The activity type Hearth's statements give a module (docs/xapi-profile.md).
const MODULE_TYPE: &str = "http://adlnet.gov/expapi/activities/module";

/// A scaled score for `masteryScore`: at most four decimals, no trailing zeros.
fn score(x: f64) -> String {
    let s = format!("{:.4}", x.clamp(0.0, 1.0));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The one AU of a `cmi5.xml`, as `hearth serve` needs it to launch the package.
#[derive(Debug, Clone, PartialEq)]
pub struct Cmi5Au {
    pub course_id: String,
    pub au_id: String,
    /// `(lang, title)` in document order.
    pub titles: Vec<(String, String)>,
    /// The launch URL, relative to the package root.
    pub url: String,
    pub move_on: String,
    pub mastery_score: Option<f64>,
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.tag_name().name() == name)
}

impl Cmi5Au {
    /// Reads the first AU of a course structure.
    pub fn parse(xml: &str) -> Result<Cmi5Au, Error> {
        let bad = |m: &str| Error::BadZip(format!("cmi5.xml: {m}"));
        let doc = roxmltree::Document::parse(xml).map_err(|e| bad(&e.to_string()))?;
        let root = doc.root_element();
        if root.tag_name().name() != "courseStructure" {
            return Err(bad("the root element is not <courseStructure>"));
        }
        let course = child(root, "course").ok_or_else(|| bad("no <course>"))?;
        let au = root.descendants().find(|n| n.tag_name().name() == "au").ok_or_else(|| bad("no <au>"))?;
        let titles = child(au, "title")
            .map(|t| {
                t.children()
                    .filter(|c| c.tag_name().name() == "langstring")
                    .map(|c| {
                        (c.attribute("lang").unwrap_or("und").to_string(), c.text().unwrap_or("").to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let url = child(au, "url").and_then(|u| u.text()).ok_or_else(|| bad("the <au> has no <url>"))?;
        let mastery_score = match au.attribute("masteryScore") {
            Some(s) => Some(s.parse().map_err(|_| bad("masteryScore is not a number"))?),
            None => None,
        };
        Ok(Cmi5Au {
            course_id: course.attribute("id").ok_or_else(|| bad("the <course> has no id"))?.to_string(),
            au_id: au.attribute("id").ok_or_else(|| bad("the <au> has no id"))?.to_string(),
            titles,
            url: url.trim().to_string(),
            move_on: au.attribute("moveOn").unwrap_or("NotApplicable").to_string(),
            mastery_score,
        })
    }
}
