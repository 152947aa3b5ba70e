//! `cargo run --example render -- [--helm] FILE [DATA.json]`: render one template (for debugging).

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let helm = args.first().is_some_and(|a| a == "--helm");
    if helm {
        args.remove(0);
    }
    let Some(file) = args.first() else {
        eprintln!("usage: render [--helm] FILE [DATA.json]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let data = args
        .get(1)
        .and_then(|d| std::fs::read_to_string(d).ok())
        .and_then(|s| serde_json::from_str(&s).ok());
    let r = if helm {
        ferroflux_gotemplate::render_helm(&text, file, data)
    } else {
        ferroflux_gotemplate::render_plain(&text, file, data)
    };
    match r {
        Ok(s) => print!("{s}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
