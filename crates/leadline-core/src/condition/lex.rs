//! Tokens of the condition language.

use super::{ParseError, Span};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// A name: a field, a keyword, an activity type (letters, digits, `_`, `-`, any script).
    Name(String),
    Text(String),
    Number(f64),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    Dot,
}

impl Tok {
    pub fn describe(&self) -> String {
        match self {
            Tok::Name(n) => format!("`{n}`"),
            Tok::Text(t) => format!("the text {t:?}"),
            Tok::Number(n) => format!("the number {n}"),
            Tok::Op(o) => format!("`{o}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Dot => "`.`".into(),
        }
    }

    /// Whether this is the keyword `word` (keywords are case-insensitive).
    pub fn is(&self, word: &str) -> bool {
        matches!(self, Tok::Name(n) if n.eq_ignore_ascii_case(word))
    }
}

/// The tokens of `text` with their spans.
pub(super) fn lex(text: &str) -> Result<Vec<(Tok, Span)>, ParseError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |t: Tok| (t, Span { start, end: start + c.len_utf8() });
        match c {
            '(' | ')' | ',' | '.' => {
                chars.next();
                out.push(single(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    ',' => Tok::Comma,
                    _ => Tok::Dot,
                }));
            }
            '=' => {
                chars.next();
                out.push(single(Tok::Op("=")));
            }
            '!' | '<' | '>' => {
                chars.next();
                let eq = chars.peek().is_some_and(|&(_, n)| n == '=');
                if eq {
                    chars.next();
                }
                let op = match (c, eq) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return Err(ParseError { position: start, expected: "`!=`".into(), found: "`!`".into() }),
                };
                out.push((Tok::Op(op), Span { start, end: start + if eq { 2 } else { 1 } }));
            }
            '"' | '\'' => {
                let quote = c;
                chars.next();
                let mut s = String::new();
                let mut closed = None;
                while let Some((i, ch)) = chars.next() {
                    match ch {
                        '\\' => match chars.next() {
                            Some((_, e)) => s.push(e),
                            None => break,
                        },
                        ch if ch == quote => {
                            closed = Some(i + ch.len_utf8());
                            break;
                        }
                        ch => s.push(ch),
                    }
                }
                let Some(end) = closed else {
                    return Err(ParseError {
                        position: text.len(),
                        expected: format!("`{quote}` to close the text opened at {start}"),
                        found: "the end".into(),
                    });
                };
                out.push((Tok::Text(s), Span { start, end }));
            }
            c if c.is_ascii_digit() || (c == '-' && starts_number(text, start)) => {
                chars.next();
                let mut end = start + c.len_utf8();
                while let Some(&(i, n)) = chars.peek() {
                    let decimal_point = n == '.' && text[i + 1..].starts_with(|d: char| d.is_ascii_digit());
                    if n.is_ascii_digit() || decimal_point {
                        chars.next();
                        end = i + 1;
                    } else {
                        break;
                    }
                }
                let n: f64 = text[start..end].parse().map_err(|_| ParseError {
                    position: start,
                    expected: "a number".into(),
                    found: format!("`{}`", &text[start..end]),
                })?;
                out.push((Tok::Number(n), Span { start, end }));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = start;
                while let Some(&(i, n)) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '-' || n == '\u{200C}' {
                        chars.next();
                        end = i + n.len_utf8();
                    } else {
                        break;
                    }
                }
                out.push((Tok::Name(text[start..end].to_owned()), Span { start, end }));
            }
            other => {
                return Err(ParseError {
                    position: start,
                    expected: "a name, a value, an operator or a parenthesis".into(),
                    found: format!("`{other}`"),
                })
            }
        }
    }
    Ok(out)
}

/// A `-` that begins a negative number (a digit follows).
fn starts_number(text: &str, at: usize) -> bool {
    text[at + 1..].starts_with(|d: char| d.is_ascii_digit())
}
