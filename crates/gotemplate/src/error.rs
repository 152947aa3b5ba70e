//! Errors, worded as Go's text/template words them.

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Lexing or parsing failed.
    Parse,
    /// Execution failed (including errors returned by functions).
    Exec,
    /// No template by the requested name.
    NoTemplate,
    /// The nesting limit was reached.
    Recursion,
    /// The execution budget (`Options::fuel`) ran out.
    Fuel,
    /// `tpl` was given text that `Options::tpl_refuses` refuses.
    TplRefused,
}

/// A template error. `Display` gives Go's message, e.g.
/// `template: t:1:3: executing "t" at <fail "x">: error calling fail: x`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// File (parse name) the error points into.
    pub name: Option<String>,
    pub line: Option<usize>,
    /// Go's column: byte offset within the line, counted from 0.
    pub col: Option<usize>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: String) -> Self {
        Error {
            kind,
            message,
            name: None,
            line: None,
            col: None,
        }
    }
}
