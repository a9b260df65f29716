//! The recursive-descent parser of the condition language (grammar in `mod.rs`).

use super::lex::{lex, Tok};
use super::{
    Behaviour, CmpOp, Expr, Func, Literal, Operand, ParseError, Set, Span, Window, DAY, HOUR, MAX_DEPTH, MAX_NODES,
    MAX_TEXT, MAX_WINDOW_DAYS, MINUTE, WEEK,
};

/// Parse a condition. Errors say where and what was expected there.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_TEXT {
        return Err(ParseError {
            position: MAX_TEXT,
            expected: format!("a condition of at most {MAX_TEXT} bytes"),
            found: format!("{} bytes", text.len()),
        });
    }
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err(ParseError { position: 0, expected: "a condition".into(), found: "nothing".into() });
    }
    let mut p = Parser { tokens, at: 0, end: text.len(), depth: 0, nodes: 0 };
    let e = p.expr()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(p.error_here("`and`, `or` or the end", t)),
    }
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    at: usize,
    end: usize,
    depth: usize,
    nodes: usize,
}

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "within", "is", "empty", "where", "last", "true", "false"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.tokens.get(self.at + n).map(|(t, _)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(_, s)| s.start)
    }

    fn next(&mut self) -> Option<(Tok, Span)> {
        let t = self.tokens.get(self.at).cloned();
        if t.is_some() {
            self.at += 1;
        }
        t
    }

    fn error_here(&self, expected: &str, found: &Tok) -> ParseError {
        ParseError { position: self.position(), expected: expected.into(), found: found.describe() }
    }

    fn error(&self, expected: &str) -> ParseError {
        match self.peek() {
            Some(t) => self.error_here(expected, t),
            None => ParseError { position: self.end, expected: expected.into(), found: "the end".into() },
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Span, ParseError> {
        match self.tokens.get(self.at) {
            Some((t, s)) if *t == tok => {
                let s = *s;
                self.at += 1;
                Ok(s)
            }
            _ => Err(self.error(what)),
        }
    }

    fn node(&mut self) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ParseError {
                position: self.position(),
                expected: format!("a condition of at most {MAX_NODES} parts"),
                found: "more".into(),
            });
        }
        Ok(())
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                position: self.position(),
                expected: format!("at most {MAX_DEPTH} levels of nesting"),
                found: "deeper".into(),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            self.node()?;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { Expr::Or(items) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.unary()?];
        while self.keyword("and") {
            self.node()?;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { Expr::And(items) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.node()?;
        if self.keyword("not") {
            self.deeper()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.next();
            self.deeper()?;
            let e = self.expr()?;
            self.depth -= 1;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(e);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, ParseError> {
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Op(o)) => Some(match *o {
                "=" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Lte,
                ">" => CmpOp::Gt,
                _ => CmpOp::Gte,
            }),
            Some(t) if t.is("contains") => Some(CmpOp::Contains),
            Some(t) if t.is("starts_with") => Some(CmpOp::StartsWith),
            _ => None,
        };
        if let Some(op) = op {
            self.next();
            let right = self.operand()?;
            return Ok(Expr::Compare { left, op, right });
        }
        if self.keyword("in") {
            return Ok(Expr::In { value: left, set: self.set()?, negated: false });
        }
        if self.peek().is_some_and(|t| t.is("not")) && self.peek_at(1).is_some_and(|t| t.is("in")) {
            self.at += 2;
            return Ok(Expr::In { value: left, set: self.set()?, negated: true });
        }
        if self.keyword("within") {
            return Ok(Expr::Within { time: left, window: self.duration()? });
        }
        if self.keyword("is") {
            let negated = self.keyword("not");
            if !self.keyword("empty") {
                return Err(self.error("`empty`"));
            }
            return Ok(Expr::IsEmpty { value: left, negated });
        }
        Ok(Expr::Truthy(left))
    }

    fn literal(&mut self) -> Option<Literal> {
        let lit = match self.peek()? {
            Tok::Text(t) => Literal::Text(t.clone()),
            Tok::Number(n) => Literal::Number(*n),
            t if t.is("true") => Literal::Bool(true),
            t if t.is("false") => Literal::Bool(false),
            _ => return None,
        };
        self.at += 1;
        Some(lit)
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        self.node()?;
        if let Some(l) = self.literal() {
            return Ok(Operand::Literal(l));
        }
        let func = match self.peek() {
            Some(Tok::Name(n)) if self.peek_at(1) == Some(&Tok::LParen) => match n.to_ascii_lowercase().as_str() {
                "count" => Some(Func::Count),
                "exists" => Some(Func::Exists),
                "first" => Some(Func::First),
                "last" => Some(Func::Last),
                "sum" => Some(Func::Sum),
                _ => return Err(self.error("a field, a value, or count/exists/first/last/sum(...)")),
            },
            _ => None,
        };
        match func {
            Some(func) => self.behaviour(func).map(|b| Operand::Behaviour(Box::new(b))),
            None => {
                let (parts, span) = self.path()?;
                Ok(Operand::Path { parts, span })
            }
        }
    }

    fn name(&mut self, what: &str) -> Result<(String, Span), ParseError> {
        match self.tokens.get(self.at) {
            Some((Tok::Name(n), s)) if !KEYWORDS.contains(&n.to_ascii_lowercase().as_str()) => {
                let out = (n.clone(), *s);
                self.at += 1;
                Ok(out)
            }
            _ => Err(self.error(what)),
        }
    }

    fn path(&mut self) -> Result<(Vec<String>, Span), ParseError> {
        let (first, mut span) = self.name("a field or a value")?;
        let mut parts = vec![first];
        while self.peek() == Some(&Tok::Dot) {
            self.next();
            let (n, s) = self.name("a name after `.`")?;
            parts.push(n);
            span.end = s.end;
        }
        Ok((parts, span))
    }

    fn behaviour(&mut self, func: Func) -> Result<Behaviour, ParseError> {
        let start = self.position();
        self.next();
        self.expect(Tok::LParen, "`(`")?;
        let (kind, _) = self.name("an activity type")?;
        let property = if func == Func::Sum {
            self.expect(Tok::Dot, "`.` and the activity property to sum")?;
            Some(self.name("the activity property to sum")?.0)
        } else {
            None
        };
        let filter = if self.keyword("where") {
            self.deeper()?;
            let f = self.expr()?;
            self.depth -= 1;
            Some(f)
        } else {
            None
        };
        let window = if self.peek() == Some(&Tok::Comma) {
            self.next();
            if !self.keyword("last") {
                return Err(self.error("`last` and a time window, e.g. `last 30 days`"));
            }
            Some(self.duration()?)
        } else {
            None
        };
        let end = self.expect(Tok::RParen, "`,` and a window, or `)`")?.end;
        Ok(Behaviour { func, kind, property, filter, window, span: Span { start, end } })
    }

    fn duration(&mut self) -> Result<Window, ParseError> {
        let n = match self.peek() {
            Some(Tok::Number(n)) if *n > 0.0 && n.fract() == 0.0 => *n as i64,
            _ => return Err(self.error("a whole number of minutes, hours, days or weeks")),
        };
        self.next();
        let unit = match self.peek() {
            Some(Tok::Name(u)) => match u.to_ascii_lowercase().trim_end_matches('s') {
                "minute" => MINUTE,
                "hour" => HOUR,
                "day" => DAY,
                "week" => WEEK,
                _ => return Err(self.error("minutes, hours, days or weeks")),
            },
            _ => return Err(self.error("minutes, hours, days or weeks")),
        };
        let millis = n.saturating_mul(unit);
        if millis > MAX_WINDOW_DAYS * DAY {
            return Err(self.error(&format!("a window of at most {MAX_WINDOW_DAYS} days")));
        }
        self.next();
        Ok(Window { millis })
    }

    fn set(&mut self) -> Result<Set, ParseError> {
        if self.peek() == Some(&Tok::LParen) {
            self.next();
            let mut items = Vec::new();
            loop {
                self.node()?;
                match self.literal() {
                    Some(l) => items.push(l),
                    None => return Err(self.error("a value")),
                }
                if self.peek() == Some(&Tok::Comma) {
                    self.next();
                    continue;
                }
                self.expect(Tok::RParen, "`,` or `)`")?;
                return Ok(Set::Literals(items));
            }
        }
        let (name, span) = self.name("a list in parentheses or a named set such as free_mail")?;
        Ok(Set::Named { name, span })
    }
}
