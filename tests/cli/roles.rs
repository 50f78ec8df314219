//! Issue 26 over real HTTP: each role against each route (a force clerk sees and sends only what is
//! hers, the district officer everything), a report replaced without losing the first, and the log
//! of who did what.

use std::path::Path;

use serde_json::Value;

use super::serve::{Server, agent, multipart};
use super::support::{A, B, C, cli, run_json, small_workspace, write_under};

/// A request's status and body text, with a link's token as `Authorization: Bearer`.
fn call(server: &Server, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let http = agent();
    let url = server.url(path);
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut answer = match (method, &bearer) {
        ("GET", Some(b)) => http.get(&url).header("Authorization", b).call(),
        ("GET", None) => http.get(&url).call(),
        (_, Some(b)) => http
            .post(&url)
            .header("Authorization", b)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("date=2024-01-15"),
        (_, None) => http
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("date=2024-01-15"),
    }
    .expect("request");
    let status = answer.status().as_u16();
    (
        status,
        answer.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// POSTs files to an API route with a token (or the page's same-origin token on loopback).
fn post_files(
    server: &Server,
    path: &str,
    token: Option<&str>,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(fields, files);
    let mut request = agent()
        .post(server.url(path))
        .header("Content-Type", &content_type);
    request = match token {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => {
            let mut answer = agent().get(server.url("/api/csrf")).call().expect("csrf");
            let json: Value = answer.body_mut().read_json().expect("json");
            let csrf = json["csrf"].as_str().expect("csrf").to_string();
            request.header("X-CSRF-Token", &csrf)
        }
    };
    let mut answer = request.send(&body[..]).expect("post");
    let status = answer.status().as_u16();
    (status, answer.body_mut().read_json().unwrap_or(Value::Null))
}

fn log_lines(workspace: &Path) -> Vec<Value> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(workspace.join("nhat-ky")).expect("the log exists") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("log");
        lines.extend(
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line")),
        );
    }
    lines
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn each_role_reaches_only_what_is_its_own() {
    let dir = small_workspace();
    let root = dir.path();
    write_under(
        root,
        "reports/2024-01-15/doan-thanh-nien/bc.csv",
        &format!("Số định danh cá nhân;Lực lượng;Đơn vị\n{A};Đoàn TN;Đoàn xã Ta Ma\n"),
    );
    write_under(
        root,
        "reports/2024-01-15/cong-an/bc.csv",
        &format!("Số định danh cá nhân;Lực lượng\n{C};Công an\n"),
    );
    let (code, _) = run_json(root, "2024-01-15");
    assert_eq!(code, 0);
    let split = cli()
        .args(["split", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(root)
        .output()
        .expect("split");
    assert_eq!(split.status.code(), Some(0));
    let forms = root.join("out/2024-01-15/don-vi");
    let youth_form = format!(
        "don-vi/doan-thanh-nien/{}",
        files_in(&forms.join("doan-thanh-nien"))[0]
    );
    let police_form = format!("don-vi/cong-an/{}", files_in(&forms.join("cong-an"))[0]);

    let server = Server::start(root, &["--listen", "0.0.0.0:0"]);
    let district = server.token.clone().expect("the district's link");
    let token_of = |id: &str| {
        server
            .force_tokens
            .iter()
            .find(|(force, _)| force == id)
            .map(|(_, token)| token.clone())
            .unwrap_or_else(|| panic!("no link for {id}: {:?}", server.force_tokens))
    };
    let youth = token_of("doan-thanh-nien");
    let police = token_of("cong-an");
    assert_ne!(youth, police);
    // Only hashes are kept, in an owner-only file.
    let links = std::fs::read_to_string(root.join("lien-ket.toml")).expect("links kept");
    for token in [&district, &youth, &police] {
        assert!(!links.contains(token.as_str()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("lien-ket.toml"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    let day = "/tai/2024-01-15/";
    let district_book = format!("{day}tong-hop-2024-01-15.xlsx");
    let youth_book = format!("{day}doan-thanh-nien-2024-01-15.xlsx");
    let police_book = format!("{day}cong-an-2024-01-15.xlsx");
    let routes: Vec<(&str, String, u16, u16)> = vec![
        // (method, path, the youth clerk's status, the district's status)
        ("GET", "/?date=2024-01-15".into(), 200, 200),
        ("GET", "/api/summary?date=2024-01-15".into(), 200, 200),
        ("GET", "/api/days".into(), 200, 200),
        ("GET", "/nhan-bao-cao".into(), 200, 200),
        ("GET", youth_book.clone(), 200, 200),
        ("GET", format!("{day}{youth_form}"), 200, 200),
        ("GET", format!("{day}bieu-do-2024-01-15.png"), 200, 200),
        ("GET", district_book.clone(), 403, 200),
        ("GET", police_book.clone(), 403, 200),
        ("GET", format!("{day}{police_form}"), 403, 200),
        ("GET", format!("{day}summary.json"), 403, 200),
        ("GET", format!("{day}tin-nhan-2024-01-15.txt"), 403, 200),
        // Encoded and climbing paths to the same files.
        (
            "GET",
            format!("{day}..%2Fcong-an-2024-01-15.xlsx"),
            403,
            400,
        ),
        (
            "GET",
            format!("{day}%2E%2E/2024-01-15/tong-hop-2024-01-15.xlsx"),
            403,
            400,
        ),
        (
            "GET",
            format!("{day}{}", police_form.replace('/', "%2F")),
            403,
            200,
        ),
        ("GET", "/nhat-ky".into(), 403, 200),
        ("POST", "/api/run?date=2024-01-15".into(), 403, 200),
        ("POST", "/chay".into(), 403, 303),
        ("POST", "/phieu".into(), 403, 303),
    ];
    for (method, path, for_youth, for_district) in &routes {
        let (status, body) = call(&server, method, path, Some(&youth));
        assert_eq!(status, *for_youth, "youth clerk: {method} {path}: {body}");
        if status == 403 {
            assert!(
                body.contains("Đoàn Thanh niên chỉ được"),
                "a refusal says what the role may do: {body}"
            );
        }
        let (status, body) = call(&server, method, path, Some(&district));
        assert_eq!(status, *for_district, "district: {method} {path}: {body}");
    }
    // Without a link nothing opens off loopback.
    assert_eq!(call(&server, "GET", &youth_book, None).0, 401);

    // The youth clerk's summary: the district's totals, her force's units only.
    let (_, text) = call(&server, "GET", "/api/summary?date=2024-01-15", Some(&youth));
    let mine: Value = serde_json::from_str(&text).expect("json");
    let (_, text) = call(
        &server,
        "GET",
        "/api/summary?date=2024-01-15",
        Some(&district),
    );
    let all: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(mine["totals"], all["totals"]);
    assert_eq!(mine["by_force_commune"], all["by_force_commune"]);
    let units = mine["units"].as_array().expect("units");
    assert!(!units.is_empty());
    assert!(
        units.iter().all(|u| u["force"] == "doan-thanh-nien"),
        "{units:?}"
    );
    assert!(all["units"].as_array().expect("units").len() > units.len());
    // Her page carries no run button and no other force's downloads.
    let (_, html) = call(&server, "GET", "/?date=2024-01-15", Some(&youth));
    assert!(
        html.contains("Lực lượng Đoàn Thanh niên"),
        "who is signed in"
    );
    assert!(!html.contains("run-form") && !html.contains("tong-hop-2024-01-15.xlsx"));
    assert!(html.contains("doan-thanh-nien-2024-01-15.xlsx"));

    // Sending: a file whose content names another force, or another force chosen, is refused
    // (403) and nothing is stored; her own file goes into her force's folder.
    let police_report = format!("Số định danh cá nhân;Lực lượng\n{C};Công an\n");
    let (status, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        Some(&youth),
        &[],
        &[("ca.csv", police_report.as_bytes())],
    );
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"].as_str().unwrap_or("").contains("Công an"),
        "{answer}"
    );
    let own = format!("Số định danh cá nhân;Đơn vị\n{B};Đoàn xã Ta Ma\n");
    let (status, _) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        Some(&youth),
        &[("force", "cong-an")],
        &[("bc.csv", own.as_bytes())],
    );
    assert_eq!(status, 403);
    assert!(!root.join("reports/2024-01-16").exists(), "nothing stored");
    let (status, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        Some(&youth),
        &[],
        &[("bc.csv", own.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer[0]["stored_as"],
        "reports/2024-01-16/doan-thanh-nien/bc.csv"
    );
    // The commune police's clerk sends hers.
    let (status, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        Some(&police),
        &[],
        &[("ca.csv", police_report.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer[0]["stored_as"], "reports/2024-01-16/cong-an/ca.csv");

    // The log: who did what, with no citizen data.
    let log = log_lines(root);
    let has = |role: &str, action: &str, outcome: &str| {
        log.iter()
            .any(|e| e["role"] == role && e["action"] == action && e["outcome"] == outcome)
    };
    assert!(has("doan-thanh-nien", "forbidden", "403"));
    assert!(has("doan-thanh-nien", "refuse", "not_yours"));
    assert!(has("doan-thanh-nien", "store", "stored"));
    assert!(has("cong-an", "store", "stored"));
    assert!(has("district", "download", "200"));
    assert!(has("district", "run", "exit 0"));
    assert!(
        log.iter().all(|e| e["remote"] == "127.0.0.1"
            && e["time"].as_str().is_some_and(|t| t.ends_with("+07:00")))
    );
    let text = serde_json::to_string(&log).expect("text");
    for id in [A, B, C] {
        assert!(!text.contains(id), "no citizen ID in the log");
    }

    // One link replaced alone: the old one stops, the others go on (also on the running page).
    let output = cli()
        .args(["links", "--only", "doan-thanh-nien", "-w"])
        .arg(root)
        .output()
        .expect("links");
    assert_eq!(output.status.code(), Some(0));
    let printed = String::from_utf8_lossy(&output.stdout);
    let new_youth = printed
        .split("?token=")
        .nth(1)
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .expect("the new link printed");
    assert_eq!(printed.matches("?token=").count(), 1, "{printed}");
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(call(&server, "GET", "/api/days", Some(&youth)).0, 401);
    assert_eq!(call(&server, "GET", "/api/days", Some(&new_youth)).0, 200);
    assert_eq!(call(&server, "GET", "/api/days", Some(&police)).0, 200);
    assert_eq!(call(&server, "GET", "/api/days", Some(&district)).0, 200);
}

#[test]
fn a_report_sent_again_replaces_the_first_which_is_kept() {
    let dir = small_workspace();
    let root = dir.path();
    let server = Server::start(root, &["--listen", "127.0.0.1:0"]);
    let first = format!(
        "Số định danh cá nhân;Lực lượng;Đơn vị\n{A};Đoàn TN;Đoàn xã Ta Ma\n{B};Đoàn TN;Đoàn xã Ta Ma\n"
    );
    let second = format!("Số định danh cá nhân;Lực lượng;Đơn vị\n{B};Đoàn TN;Đoàn xã Ta Ma\n");
    let (status, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-15",
        None,
        &[],
        &[("bao-cao.csv", first.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    let earlier = answer[0]["stored_as"].as_str().expect("stored").to_string();
    assert_eq!(earlier, "reports/2024-01-15/doan-thanh-nien/bao-cao.csv");

    // The corrected file, checked: nothing stored, and the unit's earlier file is named.
    let (status, answer) = post_files(
        &server,
        "/api/check?date=2024-01-15",
        None,
        &[],
        &[("bao-cao-sua.csv", second.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer[0]["outcome"], "checked");
    assert_eq!(answer[0]["same_unit_files"], serde_json::json!([earlier]));
    assert_eq!(
        files_in(&root.join("reports/2024-01-15/doan-thanh-nien")),
        ["bao-cao.csv"]
    );

    // Sent in place of the first: the first is kept aside, byte for byte.
    let (status, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-15",
        None,
        &[("replace", &earlier)],
        &[("bao-cao-sua.csv", second.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer[0]["outcome"], "replaced", "{answer}");
    let kept = answer[0]["replaced"].as_str().expect("kept").to_string();
    assert!(kept.starts_with("reports/2024-01-15/.thay-the/"), "{kept}");
    assert!(kept.ends_with("-bao-cao.csv"), "{kept}");
    assert_eq!(
        std::fs::read_to_string(root.join(&kept)).expect("kept"),
        first
    );
    assert_eq!(
        files_in(&root.join("reports/2024-01-15/doan-thanh-nien")),
        ["bao-cao-sua.csv"]
    );
    // A replacement naming a file that is not this unit's is refused.
    let (_, answer) = post_files(
        &server,
        "/api/reports?date=2024-01-15",
        None,
        &[("replace", "reports/2024-01-15/cong-an/x.csv")],
        &[(
            "khac.csv",
            format!("Số định danh cá nhân;Đơn vị\n{A};Đoàn xã Ta Ma\n").as_bytes(),
        )],
    );
    assert_eq!(answer[0]["outcome"], "refused", "{answer}");

    // The run counts exactly the second file's claims.
    let (code, summary) = run_json(root, "2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(summary["totals"]["activated"], 1, "{}", summary["totals"]);
    let inputs: Vec<&str> = summary["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .filter(|p| p.starts_with("reports/"))
        .collect();
    assert_eq!(
        inputs,
        ["reports/2024-01-15/doan-thanh-nien/bao-cao-sua.csv"]
    );

    // The log has both.
    let log = log_lines(root);
    let actions: Vec<(&str, &str)> = log
        .iter()
        .filter_map(|e| Some((e["action"].as_str()?, e["file"].as_str()?)))
        .collect();
    assert!(
        actions.contains(&("store", earlier.as_str())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&(
            "replace",
            "reports/2024-01-15/doan-thanh-nien/bao-cao-sua.csv"
        )),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("set_aside", kept.as_str())),
        "{actions:?}"
    );
}

#[test]
fn every_route_answers_each_role_as_the_route_table_declares() {
    use vneid_recon::serve::routes::{Needs, ROUTES};
    let dir = small_workspace();
    let root = dir.path();
    let (code, _) = run_json(root, "2024-01-15");
    assert_eq!(code, 0);
    let server = Server::start(root, &["--listen", "0.0.0.0:0"]);
    let district = server.token.clone().expect("the district's link");
    let roles = [
        ("district", district, "tong-hop-2024-01-15.xlsx"),
        (
            "doan-thanh-nien",
            server.force_token("doan-thanh-nien"),
            "doan-thanh-nien-2024-01-15.xlsx",
        ),
        (
            "cong-an",
            server.force_token("cong-an"),
            "cong-an-2024-01-15.xlsx",
        ),
    ];
    assert!(ROUTES.len() >= 15, "the table lists every route");
    for route in ROUTES {
        for (role, token, own_file) in &roles {
            let path = route
                .path
                .replace("{date}", "2024-01-15")
                .replace("{*path}", own_file)
                .replace("{name}", "app.css");
            let (status, body) = call(&server, route.method, &path, Some(token));
            let allowed = route.needs != Needs::District || *role == "district";
            if allowed {
                assert!(
                    status != 403 && status != 401 && status != 405,
                    "{role} may reach {} {path}: {status} {body}",
                    route.method
                );
            } else {
                assert_eq!(status, 403, "{role} may not reach {} {path}", route.method);
            }
        }
        // Off loopback, no route opens without a link but the public ones (the style sheet, the
        // script and the fonts, so the answer to a missing link is laid out).
        let path = route
            .path
            .replace("{date}", "2024-01-15")
            .replace("{*path}", "x")
            .replace("{name}", "app.css");
        let expected = if route.needs == Needs::Public {
            200
        } else {
            401
        };
        assert_eq!(
            call(&server, route.method, &path, None).0,
            expected,
            "{path}"
        );
    }
    // The district-only routes, as the table says.
    let district_only: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.needs == Needs::District)
        .map(|r| r.path)
        .collect();
    assert_eq!(district_only, ["/nhat-ky", "/chay", "/phieu", "/api/run"]);
    let public: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.needs == Needs::Public)
        .map(|r| r.path)
        .collect();
    assert_eq!(public, ["/static/{name}"]);
}
