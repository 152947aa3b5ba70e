//! Checks the simple YAML reader against the full one on files that cannot be committed
//! (public charts' values): every document of each file named on the command line is read by
//! both, and any difference panics, naming the file.
//!
//! `cargo run --release -p ferroflux-helm --example yaml_readers -- FILE…`

fn main() {
    let (mut docs, mut taken) = (0, 0);
    for f in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            eprintln!("skipped {f}: not readable as UTF-8");
            continue;
        };
        for doc in ferroflux_helm::yaml::split_documents(&text) {
            docs += 1;
            match std::panic::catch_unwind(|| ferroflux_helm::yaml11::check_simple_reader(&doc)) {
                Ok(true) => taken += 1,
                Ok(false) => {}
                Err(_) => panic!("the readers differ on a document of {f}"),
            }
        }
    }
    println!(
        "simple reader: took {taken} of {docs} documents, each read as the full reader reads it"
    );
}
