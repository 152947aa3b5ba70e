//! Helpers shared by the golden tests.

/// A golden case's `cmd` split as `cargo xtask goldens` splits it: on whitespace, quotes
/// grouping words.
pub fn split_args(cmd: &str) -> Vec<String> {
    let (mut args, mut cur, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
    for c in cmd.trim().chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => (quote, in_word) = (Some(c), true),
            (None, c) if c.is_whitespace() => {
                if in_word {
                    args.push(std::mem::take(&mut cur));
                }
                in_word = false;
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        args.push(cur);
    }
    args
}
